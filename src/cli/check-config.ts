import { formatProblems, loadConfigFile } from '../config/load.js';

export function checkConfigCommand(file: string): number {
  const result = loadConfigFile(file);
  if (!result.ok) {
    process.stderr.write(formatProblems(result.errors) + '\n');
    process.stderr.write(`${file}: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}; nothing started\n`);
    return 1;
  }
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(`${file}: OK (${result.config.interfaces.length} interface(s), ${Object.keys(result.config.profiles).length} profile(s))\n`);
  return 0;
}
