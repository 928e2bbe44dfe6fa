import { configTemplateProblems } from '../boot/templates/config-templates.js';
import { formatProblems, loadConfigFile } from '../config/load.js';

export function checkConfigCommand(file: string): number {
  const result = loadConfigFile(file);
  if (!result.ok) {
    process.stderr.write(formatProblems(result.errors) + '\n');
    process.stderr.write(`${file}: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}; nothing started\n`);
    return 1;
  }
  const templates = configTemplateProblems(result.config);
  if (templates.length > 0) {
    for (const t of templates) process.stderr.write(`${file}: profiles: ${t}\n`);
    process.stderr.write(`${file}: ${templates.length} template problem${templates.length === 1 ? '' : 's'}; nothing started\n`);
    return 1;
  }
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(`${file}: OK (${result.config.interfaces.length} interface(s), ${Object.keys(result.config.profiles).length} profile(s))\n`);
  return 0;
}
