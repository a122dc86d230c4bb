import { MemoryCredentialLog } from '../../src/adapters/memory/memory-credential-log.ts';
import { credentialLogContract } from './credential-log.case.ts';

credentialLogContract('memory', async () => new MemoryCredentialLog());
