import { configureObservability } from '../../src/observability/settings.ts';

// Loaded before every test file (vitest.config.ts `setupFiles`): the code under test logs only when a test asks
// for it, as an entry would after reading ORRERY_LOG_LEVEL=silent from its configuration.
configureObservability({ logLevel: 'silent' });
