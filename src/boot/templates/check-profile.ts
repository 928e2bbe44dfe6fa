/**
 * Every template of a profile, checked without a machine: unknown variables, unknown filters,
 * a `{{` left open. Run before a profile is stored (API) and by `bootfleet check-config`, so a
 * broken template is refused where it is written, not discovered when a machine boots.
 */
import type { ProfileSpec } from '../../fleet/group.js';
import { CLOUD_INIT_CMDLINE, DEBIAN_INSTALLER_CMDLINE } from '../render-boot-script.js';
import { checkTemplate, type TemplateProblem, type TemplateTarget } from './template.js';
import { templateVariableNames } from './template-vars.js';

/** Each template field of a profile: its path (as in the config) and its target. */
export function templateFields(spec: ProfileSpec): { field: string; text: string; target: TemplateTarget }[] {
  const out: { field: string; text: string; target: TemplateTarget }[] = [];
  const kernel = (s: { kernel: string; initrd: readonly string[]; cmdline: string }): void => {
    out.push({ field: 'kernel', text: s.kernel, target: 'url' });
    s.initrd.forEach((t, i) => out.push({ field: `initrd[${i}]`, text: t, target: 'url' }));
    out.push({ field: 'cmdline', text: s.cmdline, target: 'cmdline' });
  };
  switch (spec.kind) {
    case undefined:
    case 'linux':
      kernel(spec);
      break;
    case 'debian-installer':
      kernel(spec);
      out.push({ field: 'preseed', text: spec.preseed, target: 'preseed' });
      break;
    case 'cloud-init':
      kernel(spec);
      yamlStrings('userData', spec.userData, out);
      yamlStrings('metaData', spec.metaData, out);
      if (spec.vendorData !== undefined) yamlStrings('vendorData', spec.vendorData, out);
      break;
    case 'pxelinux':
      if (spec.menuTitle !== undefined) out.push({ field: 'menuTitle', text: spec.menuTitle, target: 'pxelinux-text' });
      spec.entries.forEach((e, i) => {
        if (e.menuLabel !== undefined) out.push({ field: `entries[${i}].menuLabel`, text: e.menuLabel, target: 'pxelinux-text' });
        out.push({ field: `entries[${i}].kernel`, text: e.kernel, target: 'cmdline' });
        e.initrd.forEach((t, n) => out.push({ field: `entries[${i}].initrd[${n}]`, text: t, target: 'cmdline' }));
        out.push({ field: `entries[${i}].append`, text: e.append, target: 'cmdline' });
      });
      break;
    case 'chain':
      out.push({ field: 'url', text: spec.url, target: 'url' });
      break;
    case 'sanboot':
      out.push({ field: 'rootPath', text: spec.rootPath, target: 'url' });
      break;
    case 'local':
      break;
  }
  return out;
}

function yamlStrings(path: string, value: unknown, out: { field: string; text: string; target: TemplateTarget }[]): void {
  if (typeof value === 'string') out.push({ field: path, text: value, target: 'yaml' });
  else if (Array.isArray(value)) value.forEach((v, i) => yamlStrings(`${path}[${i}]`, v, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yamlStrings(`${path}.${k}`, v, out);
}

/** Every template problem of a profile (empty: all templates are good). */
export function checkProfileTemplates(name: string, spec: ProfileSpec): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const f of templateFields(spec)) {
    const p = checkTemplate(f.text, f.target, templateVariableNames, { profile: name, field: f.field });
    if (p) problems.push(p);
  }
  // The kinds' own additions are templates too; a change to them must keep them valid.
  for (const [kind, text] of [['debian-installer', DEBIAN_INSTALLER_CMDLINE], ['cloud-init', CLOUD_INIT_CMDLINE]] as const) {
    if (spec.kind !== kind) continue;
    const p = checkTemplate(text, 'cmdline', templateVariableNames, { profile: name, field: 'cmdline (added by the profile kind)' });
    if (p) problems.push(p);
  }
  return problems;
}
