import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTemplate, formatTemplateProblem, renderTemplate, type TemplateTarget, type TemplateVars } from './template.js';
import { templateVariableNames, templateVars } from './template-vars.js';

const site = { profile: 'p', field: 'cmdline' };
const vars: TemplateVars = {
  values: { mac: '52:54:00:12:34:56', hostname: 'db-1', ip: null, uuid: null },
  labels: { rack: '3', 'topology.example/zone': 'a b' },
};

function render(text: string, target: TemplateTarget = 'cmdline'): string {
  const r = renderTemplate(text, target, vars, site);
  assert.ok(r.ok, r.ok ? '' : formatTemplateProblem(r.problem));
  return r.text;
}

function problem(text: string, target: TemplateTarget = 'cmdline'): string {
  const r = renderTemplate(text, target, vars, site);
  assert.ok(!r.ok, `expected a template error for ${JSON.stringify(text)}`);
  return formatTemplateProblem(r.problem);
}

describe('template engine', () => {
  test('substitutes variables and labels, with or without spaces inside the braces', () => {
    assert.equal(render('host={{hostname}} mac={{ mac }} rack={{ labels.rack }}'), 'host=db-1 mac=52:54:00:12:34:56 rack=3');
    assert.equal(render('zone={{ labels.topology.example/zone }}'), 'zone=a_b', 'a label key may hold dots and slashes');
  });

  test('a known fact that is not known for this machine, or a label it lacks, renders empty', () => {
    assert.equal(render('ip={{ ip }} x={{ labels.absent }}'), 'ip= x=');
  });

  test('text without braces passes as it is; a lone "}}" is text', () => {
    assert.equal(render('quiet a}}b {x}'), 'quiet a}}b {x}');
  });

  test('filters: url, lower, upper; url output is final in every target', () => {
    assert.equal(render('{{ labels.topology.example/zone | url }}'), 'a%20b');
    assert.equal(render('{{ hostname | upper }}'), 'DB-1');
    assert.equal(render('{{ hostname | upper | lower }}'), 'db-1');
    assert.equal(render('{{ labels.topology.example/zone | url }}', 'preseed'), 'a%20b');
  });

  test('shell is for preseed templates only', () => {
    assert.equal(render("{{ labels.topology.example/zone | shell }}", 'preseed'), "'a b'");
    assert.match(problem('{{ hostname | shell }}', 'cmdline'), /filter "shell" is for preseed templates, not cmdline/);
  });

  test('errors name the profile, field, line and column, and the cause', () => {
    assert.equal(problem('a\n  b {{ hostnme }}'), 'profile p: cmdline, line 2, column 5: unknown variable "hostnme"; known: hostname, ip, mac, uuid, labels.<key>');
    assert.match(problem('x {{ mac'), /line 1, column 3: "\{\{" is not closed by "\}\}" on the same line/);
    assert.match(problem('{{ mac\n}}'), /line 1, column 1: "\{\{" is not closed/);
    assert.match(problem('{{ }}'), /empty "\{\{ \}\}"/);
    assert.match(problem('{{ mac | nope }}'), /unknown filter "nope"; known: url, shell, lower, upper/);
    assert.match(problem('{{ mac; reboot }}'), /"mac; reboot" is not a variable name/);
    assert.match(problem('{{ labels. }}'), /expected labels.<key>/);
  });

  test('checkTemplate knows every variable name templateVars gives', () => {
    const all = templateVariableNames.map((n) => `{{ ${n} }}`).join(' ');
    assert.equal(checkTemplate(all, 'cmdline', templateVariableNames, site), null);
    const given = templateVars({ mac: '52:54:00:12:34:56', hostname: null, ip: null, uuid: null, arch: 0, firmware: 'ipxe', labels: {}, profile: 'p', serverAddress: '198.18.0.2', httpPort: 8080, installToken: null });
    assert.deepEqual(Object.keys(given.values).sort(), [...templateVariableNames].sort());
    assert.equal(given.values['hostname'], 'host-525400123456', 'a machine with no name gets one from its MAC');
    assert.equal(given.values['installDoneUrl'], null, 'no callback URL unless installing');
    assert.equal(given.values['preseedUrl'], 'http://198.18.0.2:8080/preseed/52-54-00-12-34-56.cfg');
    assert.equal(given.values['seedUrl'], 'http://198.18.0.2:8080/cloud-init/52-54-00-12-34-56/');
    const installing = templateVars({ mac: '52:54:00:12:34:56', hostname: 'h', ip: null, uuid: null, arch: null, firmware: null, labels: {}, profile: 'p', serverAddress: '198.18.0.2', httpPort: 80, installToken: 'T'.repeat(43) });
    assert.equal(installing.values['installDoneUrl'], `http://198.18.0.2/install/52-54-00-12-34-56/done?token=${'T'.repeat(43)}`);
  });
});
