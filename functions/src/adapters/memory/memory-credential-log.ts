import { ConflictError } from '../../domain/errors.ts';
import type { CredentialIssue } from '../../domain/credentials.ts';
import type { CredentialLog, CredentialLogPage, CredentialLogQuery } from '../../ports/credential-log.ts';

const position = (i: CredentialIssue) => `${i.issuedAt}#${i.id}`;

/** The credential log in an array, for unit tests; the contract suite keeps it honest with DynamoDB. */
export class MemoryCredentialLog implements CredentialLog {
  private readonly issues: CredentialIssue[] = [];

  async record(issue: CredentialIssue): Promise<void> {
    if (this.issues.some((i) => i.id === issue.id)) {
      throw new ConflictError(`credential issue ${issue.id} is already recorded`);
    }
    this.issues.push(structuredClone(issue));
  }

  async listForUser(user: string, page: CredentialLogQuery): Promise<CredentialLogPage> {
    return this.page((i) => i.user === user, page);
  }

  async listAll(page: CredentialLogQuery): Promise<CredentialLogPage> {
    return this.page(() => true, page);
  }

  private page(keep: (i: CredentialIssue) => boolean, page: CredentialLogQuery): CredentialLogPage {
    const all = this.issues
      .filter((i) => keep(i) && (page.before === undefined || position(i) < page.before))
      .sort((a, b) => (position(a) < position(b) ? 1 : -1));
    const items = all.slice(0, page.limit).map((i) => structuredClone(i));
    return { items, next: all.length > page.limit ? position(items.at(-1)!) : undefined };
  }
}
