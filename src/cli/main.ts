#!/usr/bin/env node
import { Command } from 'commander';
import { checkConfigCommand } from './check-config.js';
import { registerClientCommands } from './client-commands.js';
import { registerDoctorCommands } from './doctor-commands.js';
import { explainCommand } from './explain.js';
import { importDnsmasqCommand } from '../dnsmasq/import-command.js';
import { dnsmasqRunCommand, splitDnsmasqArgv } from '../dnsmasq/run-command.js';
import { reloadCommand } from './reload.js';
import { serveCommand } from './serve.js';

const program = new Command()
  .name('bootfleet')
  .description('Network-boot a fleet of machines: DHCP (full or proxy), TFTP, HTTP and iPXE chainloading in one process.')
  .version('0.1.0');

program
  .command('serve')
  .description('Run the DHCP, TFTP and HTTP servers on the interfaces named in the config (or what a dnsmasq.conf says).')
  .option('-c, --config <file>', 'bootfleet YAML config (with --dnsmasq-conf: only what dnsmasq has no words for, interfaces may be left out)')
  .option('--dnsmasq-conf <file>', 'run this dnsmasq.conf (interfaces, DHCP, TFTP and boot replies as dnsmasq would)')
  .option('--skip-unknown', 'with --dnsmasq-conf: report directives bootfleet does not know and go on', false)
  .option('--allow-other-dhcp', 'start full-mode DHCP even when the start-up probe finds another DHCP server on the segment (exit 3 otherwise)', false)
  .action(async (opts: { config?: string; dnsmasqConf?: string; skipUnknown: boolean; allowOtherDhcp: boolean }) => {
    if (opts.dnsmasqConf !== undefined) {
      process.exitCode = await dnsmasqRunCommand({
        source: { kind: 'file', file: opts.dnsmasqConf }, bootfleetConfig: opts.config ?? null, skipUnknown: opts.skipUnknown, allowOtherDhcp: opts.allowOtherDhcp,
      });
      return;
    }
    if (opts.config === undefined) {
      process.stderr.write('bootfleet serve: needs -c <bootfleet.yaml> or --dnsmasq-conf <dnsmasq.conf>\n');
      process.exitCode = 1;
      return;
    }
    process.exitCode = await serveCommand(opts.config, { allowOtherDhcp: opts.allowOtherDhcp });
  });

program
  .command('dnsmasq')
  .description(
    "Run dnsmasq's command line (e.g. --no-daemon --port=0 --dhcp-range=…,proxy --dhcp-boot=… --enable-tftp --tftp-root=…) as dnsmasq would; " +
      'bootfleet flags: --bootfleet-config <yaml>, --skip-unknown, --allow-other-dhcp. Every other argument is dnsmasq\'s.',
  )
  .allowUnknownOption()
  .allowExcessArguments();

program
  .command('check-config')
  .description('Validate a config file and print every problem with its file, line and key; exit 1 if any.')
  .requiredOption('-c, --config <file>', 'bootfleet YAML config')
  .action((opts: { config: string }) => {
    process.exitCode = checkConfigCommand(opts.config);
  });

program
  .command('reload')
  .description('Check the config and its fleetDir, then have the running bootfleet serve re-read them (SIGHUP to the pid in <dataDir>/bootfleet.pid). Settings that need a restart are reported, not applied.')
  .requiredOption('-c, --config <file>', 'bootfleet YAML config (the one the server runs)')
  .option('--pid-file <file>', 'default: <dataDir>/bootfleet.pid')
  .action((opts: { config: string; pidFile?: string }) => {
    process.exitCode = reloadCommand(opts.pidFile !== undefined ? { config: opts.config, pidFile: opts.pidFile } : { config: opts.config });
  });

program
  .command('explain')
  .description('Print what a machine would be given at boot, and why, without any network.')
  .requiredOption('--mac <mac>', 'the machine\'s MAC address')
  .option('--arch <n>', 'DHCP option 93 client arch (0 BIOS, 7/9 UEFI x64, 11 ARM64, 16 UEFI HTTP); omit for a client that sends none')
  .option('--ipxe', 'the client is already iPXE (sends option 175 / user class iPXE)', false)
  .option('--gpxe', 'the client is gPXE', false)
  .option('--os', 'an operating system DHCP client, not boot firmware', false)
  .option('--mode <mode>', 'full or proxy', 'full')
  .option('--server <ip>', 'the address clients reach bootfleet at (default: the config\'s serverAddress)')
  .option('-c, --config <file>', 'bootfleet YAML config (default: built-in defaults)')
  .option('--ip <address>', 'the machine\'s IPv4 address, for groups that select a subnet')
  .option('--config-only', 'ignore the server\'s inventory (<dataDir>/bootfleet.db); use the config alone', false)
  .option('--json', 'print the plan as JSON', false)
  .action(async (opts: { mac: string; arch?: string; ipxe: boolean; gpxe: boolean; os: boolean; mode: string; server?: string; config?: string; json: boolean; ip?: string; configOnly: boolean }) => {
    process.exitCode = await explainCommand(opts);
  });

registerClientCommands(program);
registerDoctorCommands(program);

program
  .command('import')
  .description('Convert another tool\'s configuration to bootfleet YAML.')
  .command('dnsmasq <file>')
  .description('Print the bootfleet YAML for a dnsmasq.conf (includes followed), with a comment on every line not carried over.')
  .action((file: string) => {
    process.exitCode = importDnsmasqCommand(file);
  });

// dnsmasq's flags are not ours to parse: `bootfleet dnsmasq …` skips commander entirely.
if (process.argv[2] === 'dnsmasq' && !['-h', '--help'].includes(process.argv[3] ?? '')) {
  const split = splitDnsmasqArgv(process.argv.slice(3));
  if ('error' in split) {
    process.stderr.write(`bootfleet dnsmasq: ${split.error}\n`);
    process.exitCode = 1;
  } else {
    process.exitCode = await dnsmasqRunCommand(split.request);
  }
} else {
  await program.parseAsync(process.argv);
}
