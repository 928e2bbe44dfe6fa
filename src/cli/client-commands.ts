/**
 * The `bootfleet` commands that talk to a running server's API: `machines list`,
 * `machines set-profile`, `machines install`, `profiles list`, `profiles apply -f`, `groups list`. Table output
 * for people, `--json` for scripts. Exit status: 0 done, 1 refused or unreachable, 2 bad usage.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { groupOut, machineOut, profileOut } from '../api/api-schemas.js';
import { describeProfile } from '../fleet/group.js';
import { ApiClient, ApiRequestError, apiTarget } from './api-client.js';
import { applyProfilesFile } from './profiles-apply.js';
import { formatTable } from './text-table.js';

interface ApiFlags {
  api?: string;
  token?: string;
  json?: boolean;
}

function withApiFlags(cmd: Command): Command {
  return cmd
    .option('--api <url>', 'the bootfleet API (default: $BOOTFLEET_API, else http://127.0.0.1:8081)')
    .option('--token <token>', 'bearer token (default: $BOOTFLEET_TOKEN; the environment keeps it out of `ps`)')
    .option('--json', 'print JSON instead of a table', false);
}

/** Runs one client command: prints its output, or the one-line reason it failed. */
async function run(flags: ApiFlags, body: (client: ApiClient) => Promise<string>): Promise<number> {
  try {
    const out = await body(new ApiClient(apiTarget(flags)));
    if (out !== '') process.stdout.write(out.endsWith('\n') ? out : out + '\n');
    return 0;
  } catch (err) {
    if (err instanceof ApiRequestError) {
      process.stderr.write(`bootfleet: ${err.message}\n`);
      return 1;
    }
    if (err instanceof z.ZodError) {
      process.stderr.write(`bootfleet: the API answered with something this CLI does not understand (${err.issues[0]?.message ?? 'bad shape'}); are the server and the CLI the same version?\n`);
      return 1;
    }
    throw err;
  }
}

const json = (v: unknown): string => JSON.stringify(v, null, 2);
const dash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v));

export function registerClientCommands(program: Command): void {
  const machines = program.command('machines').description('Machines of the fleet, through the API of a running server.');
  withApiFlags(machines.command('list').description('List machines: state, the profile each boots and why, last address.'))
    .option('--state <state>', 'only machines in this state (discovered, ready, installing, installed)')
    .action(async (opts: ApiFlags & { state?: string }) => {
      process.exitCode = await run(opts, async (api) => {
        const query = opts.state !== undefined ? `?state=${encodeURIComponent(opts.state)}` : '';
        const list = z.array(machineOut).parse(await api.get(`/machines${query}`));
        if (opts.json) return json(list);
        if (list.length === 0) return 'no machines';
        return formatTable(
          ['MAC', 'STATE', 'HOSTNAME', 'BOOTS', 'BECAUSE', 'LAST IP', 'LAST SEEN', 'LABELS'],
          list.map((m) => [
            m.mac,
            m.state,
            dash(m.hostname),
            m.boot.profile,
            m.boot.by === 'group' ? `group ${m.boot.group ?? ''}` : m.boot.by === 'machine' ? 'own profile' : 'default',
            dash(m.lastIp),
            dash(m.lastSeen?.replace('T', ' ').slice(0, 19)),
            Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-',
          ]),
        );
      });
    });
  withApiFlags(machines.command('set-profile').description('Give a machine its own profile (it beats every group); an unknown MAC is registered.'))
    .argument('<mac>', 'the machine\'s MAC address')
    .argument('<profile>', 'a profile name (see `bootfleet profiles list`)')
    .action(async (mac: string, profile: string, opts: ApiFlags) => {
      if (!/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(mac)) {
        process.stderr.write(`bootfleet: "${mac}" is not a MAC address like 52:54:00:12:34:56\n`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await run(opts, async (api) => {
        const r = await api.patch(`/machines/${encodeURIComponent(mac)}`, { profile });
        const m = machineOut.parse(r.body);
        if (opts.json) return json(m);
        return `${m.mac}: profile ${profile}${r.status === 201 ? ' (new machine registered)' : ''}; state ${m.state}`;
      });
    });

  withApiFlags(machines.command('install').description("Mark a machine for (re)install: it boots its profile's install profile until its installer calls back installed."))
    .argument('<mac>', "the machine's MAC address")
    .action(async (mac: string, opts: ApiFlags) => {
      if (!/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(mac)) {
        process.stderr.write(`bootfleet: "${mac}" is not a MAC address like 52:54:00:12:34:56\n`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await run(opts, async (api) => {
        const r = await api.post(`/machines/${encodeURIComponent(mac)}/install`);
        const m = machineOut.parse(r.body);
        if (opts.json) return json(m);
        return `${m.mac}: state ${m.state}; its next network boot runs the install profile of ${m.boot.profile}, until the installer calls back`;
      });
    });

  const profiles = program.command('profiles').description('Boot profiles, through the API of a running server.');
  withApiFlags(profiles.command('list').description('List profiles.')).action(async (opts: ApiFlags) => {
    process.exitCode = await run(opts, async (api) => {
      const list = z.array(profileOut).parse(await api.get('/profiles'));
      if (opts.json) return json(list);
      if (list.length === 0) return 'no profiles';
      return formatTable(['NAME', 'KIND', 'SOURCE', 'BOOTS'], list.map((p) => [p.name, p.kind ?? 'linux', p.source, describeProfile(p)]));
    });
  });
  withApiFlags(profiles.command('apply').description('Create or replace the profiles in a YAML file (`profiles: {name: {kernel, initrd, cmdline}}`, as in the config).'))
    .requiredOption('-f, --file <file>', 'YAML file with a `profiles` mapping')
    .action(async (opts: ApiFlags & { file: string }) => {
      process.exitCode = await applyProfilesFile(opts.file, (body) => run(opts, body), opts.json === true);
    });

  const groups = program.command('groups').description('Groups (selectors → profile), through the API of a running server.');
  withApiFlags(groups.command('list').description('List groups, best priority first.')).action(async (opts: ApiFlags) => {
    process.exitCode = await run(opts, async (api) => {
      const list = z.array(groupOut).parse(await api.get('/groups'));
      if (opts.json) return json(list);
      if (list.length === 0) return 'no groups';
      const sorted = [...list].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : 1));
      return formatTable(['NAME', 'PRIORITY', 'PROFILE', 'SOURCE', 'SELECTOR'], sorted.map((g) => [g.name, String(g.priority), g.profile, g.source, selectorText(g.selector)]));
    });
  });
}

function selectorText(s: z.output<typeof groupOut>['selector']): string {
  const parts: string[] = [];
  if (s.macs) parts.push(`macs=${s.macs.join(',')}`);
  if (s.uuids) parts.push(`uuids=${s.uuids.join(',')}`);
  if (s.labels) parts.push(`labels=${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',')}`);
  if (s.arch) parts.push(`arch=${s.arch.join(',')}`);
  if (s.firmware) parts.push(`firmware=${s.firmware.join(',')}`);
  if (s.subnet) parts.push(`subnet=${s.subnet}`);
  return parts.join(' ') || '(every machine)';
}
