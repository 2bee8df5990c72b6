import * as path from 'node:path';

/** The repository root, from build/test/utils or test/utils alike. */
export const REPO_ROOT = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}build${path.sep}`) ? '../../..' : '../..'
);

/** ../shared beside the repository: present on developers' machines and in CI, absent in a user's clone. */
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
