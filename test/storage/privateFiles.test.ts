// DATA_DIR is private to the bot's user: folders 0700, files 0600, whatever was there before.
import { chmod, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { makePrivateDir, tightenTree } from '../../storage/privateFiles.js';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('private data files', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'esr-private-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('creates a missing folder, and its missing parents, as 0700', async () => {
    await makePrivateDir(join(root, 'a', 'b'));
    expect(await modeOf(join(root, 'a'))).to.equal(0o700);
    expect(await modeOf(join(root, 'a', 'b'))).to.equal(0o700);
  });

  it('tightens folders others could list to 0700 and files others could read to 0600, and says which', async () => {
    await chmod(root, 0o755);
    await mkdir(join(root, 'state'), { mode: 0o755 });
    await writeFile(join(root, 'state', 'shard-0.json'), '{}', { mode: 0o644 });
    await writeFile(join(root, 'staff.json'), '{}', { mode: 0o666 });
    await writeFile(join(root, 'tokens.json'), '{}', { mode: 0o600 });
    await mkdir(join(root, 'outbox'), { mode: 0o700 });

    const { tightened, refused } = await tightenTree(root);

    expect(tightened).to.have.members(['.', 'state', join('state', 'shard-0.json'), 'staff.json']);
    expect(refused).to.deep.equal([]);
    for (const dir of [root, join(root, 'state'), join(root, 'outbox')]) expect(await modeOf(dir), dir).to.equal(0o700);
    for (const file of ['staff.json', 'tokens.json', join('state', 'shard-0.json')]) expect(await modeOf(join(root, file)), file).to.equal(0o600);
  });

  it('says nothing the second time: there is nothing left to tighten', async () => {
    await writeFile(join(root, 'staff.json'), '{}', { mode: 0o644 });
    expect((await tightenTree(root)).tightened).to.have.length(1);
    expect(await tightenTree(root)).to.deep.equal({ tightened: [], refused: [] });
  });

  it('creates DATA_DIR as 0700 when it is not there yet', async () => {
    const dataDir = join(root, 'data');
    expect(await tightenTree(dataDir)).to.deep.equal({ tightened: [], refused: [] });
    expect(await modeOf(dataDir)).to.equal(0o700);
  });

  it('neither follows nor changes a symbolic link', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'esr-outside-'));
    try {
      await writeFile(join(outside, 'shared.txt'), 'x', { mode: 0o644 });
      await chmod(outside, 0o755);
      await symlink(outside, join(root, 'linked'));
      await tightenTree(root);
      expect((await lstat(join(root, 'linked'))).isSymbolicLink()).to.equal(true);
      expect(await modeOf(outside)).to.equal(0o755);
      expect(await modeOf(join(outside, 'shared.txt'))).to.equal(0o644);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
