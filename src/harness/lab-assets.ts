import { existsSync, linkSync, copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from this compiled file (dist/harness/ → ../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The lab's small Linux, built by scripts/build-lab-assets.sh. */
export function labAssets(): { kernel: string; initrd: string } {
  const dir = process.env.BOOTFLEET_LAB_ASSETS ?? path.join(REPO_ROOT, '.lab/assets');
  const kernel = path.join(dir, 'vmlinuz');
  const initrd = path.join(dir, 'initrd.img');
  for (const f of [kernel, initrd]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run scripts/build-lab-assets.sh`);
  }
  return { kernel, initrd };
}

/**
 * Makes an HTTP root holding the lab kernel and initrd. They are hard-linked (or copied):
 * the HTTP server refuses symlinks that leave its root.
 */
export function stageHttpRoot(dir: string): string {
  const root = path.join(dir, 'http');
  mkdirSync(root, { recursive: true });
  const assets = labAssets();
  for (const [name, src] of [
    ['vmlinuz', assets.kernel],
    ['initrd.img', assets.initrd],
  ] as const) {
    const dest = path.join(root, name);
    if (existsSync(dest)) continue;
    try {
      linkSync(src, dest);
    } catch {
      copyFileSync(src, dest);
    }
  }
  return root;
}

/**
 * The lab's bootable ISO (ISOLINUX → the lab kernel with `bf.profile=iso`), built by
 * scripts/build-lab-assets.sh beside the kernel, for the sanboot tests.
 */
export function labIso(): string {
  const iso = path.join(process.env.BOOTFLEET_LAB_ASSETS ?? path.join(REPO_ROOT, '.lab/assets'), 'lab.iso');
  if (!existsSync(iso)) throw new Error(`${iso} is missing: run scripts/build-lab-assets.sh (needs isolinux and xorriso)`);
  return iso;
}

/** Puts `src` into `dir` as `name`, hard-linked when it can be (as {@link stageHttpRoot} does), else copied. */
export function stageFile(src: string, dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, name);
  if (existsSync(dest)) return dest;
  try {
    linkSync(src, dest);
  } catch {
    copyFileSync(src, dest);
  }
  return dest;
}
