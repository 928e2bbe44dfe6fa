/**
 * Every template of every profile in a loaded config, checked: what `bootfleet check-config` and
 * `bootfleet serve` run after the config loaded, so a broken template stops the start instead of
 * reaching a machine as an error script. (config/ cannot run this itself: it imports nothing of
 * boot/.)
 */
import type { BootfleetConfig } from '../../config/schema.js';
import { checkProfileTemplates } from './check-profile.js';
import { formatTemplateProblem } from './template.js';

/** One line per problem: `profile web: cmdline, line 1, column 3: unknown variable "hostnme"; …`. */
export function configTemplateProblems(config: BootfleetConfig): string[] {
  return Object.entries(config.profiles).flatMap(([name, spec]) => checkProfileTemplates(name, spec).map(formatTemplateProblem));
}
