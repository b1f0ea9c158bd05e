import type { AccessRequest } from '../../src/domain/request';
import { transition } from '../../src/workflow/lifecycle';
import { updateRequest } from '../../src/workflow/request-updates';
import { ADA, MemoryRequests, POLICY, pendingOnboarding } from '../support/memory-workflow';

// One update decided on the request as the caller last wrote it, instead of a fresh read: the
// write stays conditional on its version, so an outdated copy changes nothing but the cost.

const NOW = new Date('2026-12-01T10:05:00.000Z');

/** The bot table in memory, counting its reads. */
class CountingRequests extends MemoryRequests {
  reads = 0;
  override async get(id: string): Promise<AccessRequest | undefined> {
    this.reads += 1;
    return super.get(id);
  }
}

let tokens = 0;
const context = (repository: MemoryRequests) => ({
  repository,
  clock: () => NOW,
  writeId: () => {
    tokens += 1;
    return `t${tokens}`;
  },
});

const approve = (current: AccessRequest) =>
  transition(current, { type: 'approve', clicker: ADA, roles: { holder: [] } }, NOW, POLICY);
const claimBy = (owner: string) => (current: AccessRequest) =>
  transition(
    current,
    { type: 'claim', owner, roles: { holder: [], approvers: { [ADA.vamsUserId]: ADA.roles } } },
    NOW,
    POLICY,
  );
const claim = claimBy('runner-a');

async function approvedIn(repository: MemoryRequests): Promise<AccessRequest> {
  await repository.create(pendingOnboarding());
  const approved = await updateRequest(context(repository), 'RTEST0001', approve);
  if (approved.outcome !== 'written') throw new Error(`not approved: ${approved.outcome}`);
  return approved.request;
}

describe('an update on a known copy of the request', () => {
  it('writes without reading when the copy is the stored version', async () => {
    const repository = new CountingRequests();
    const approved = await approvedIn(repository);
    repository.reads = 0;
    const claimed = await updateRequest(context(repository), 'RTEST0001', claim, approved);
    expect(claimed.outcome).toBe('written');
    expect(repository.reads).toBe(0);
    expect((await repository.get('RTEST0001'))?.status).toBe('executing');
  });

  it('is refused by the version when the copy is out of date, then read and decided again', async () => {
    const repository = new CountingRequests();
    const approved = await approvedIn(repository);
    // Another instance took it in between: the copy no longer holds.
    const taken = await updateRequest(context(repository), 'RTEST0001', claimBy('runner-b'));
    expect(taken.outcome).toBe('written');
    const writes = repository.writes.length;
    const claimed = await updateRequest(context(repository), 'RTEST0001', claim, approved);
    expect(claimed).toMatchObject({ outcome: 'refused', refusal: { code: 'lease-held' } });
    expect(repository.writes).toHaveLength(writes);
    expect((await repository.get('RTEST0001'))?.lease?.owner).toBe('runner-b');
  });

  it('decides a refusal only on the stored request', async () => {
    const repository = new CountingRequests();
    await repository.create(pendingOnboarding());
    const pending = await repository.get('RTEST0001');
    await updateRequest(context(repository), 'RTEST0001', approve);
    // Pending in the copy, which a claim refuses; approved in the table, which it takes.
    const claimed = await updateRequest(context(repository), 'RTEST0001', claim, pending);
    expect(claimed.outcome).toBe('written');
    expect((await repository.get('RTEST0001'))?.status).toBe('executing');
  });

  it('counts a write whose answer was lost as written, as a fresh read does', async () => {
    const repository = new CountingRequests();
    const approved = await approvedIn(repository);
    repository.loseAnswers = 1;
    const claimed = await updateRequest(context(repository), 'RTEST0001', claim, approved);
    expect(claimed.outcome).toBe('written');
    expect(repository.writes.filter((write) => write.status === 'executing')).toHaveLength(1);
  });
});
