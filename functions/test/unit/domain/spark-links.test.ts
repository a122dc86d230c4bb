import { describe, expect, it } from 'vitest';
import { fillLinkTemplate, unknownLinkPlaceholders } from '../../../src/domain/spark-links.ts';

const VALUES = { appId: 'spark-k3x9', sessionId: 'k3x9', server: 'etl', owner: 'ada@example.com' };

describe('fillLinkTemplate', () => {
  it('fills every placeholder, each URL-encoded', () => {
    // Prepare
    const template = 'https://grafana.example.com/d/spark?app={appId}&s={sessionId}&server={server}&user={owner}';
    // Act
    const link = fillLinkTemplate(template, VALUES);
    // Assess
    expect(link).toBe('https://grafana.example.com/d/spark?app=spark-k3x9&s=k3x9&server=etl&user=ada%40example.com');
  });

  it('fills a placeholder used twice each time', () => {
    // Prepare, Act
    const link = fillLinkTemplate('https://history.example.com/history/{appId}/jobs/?app={appId}', VALUES);
    // Assess
    expect(link).toBe('https://history.example.com/history/spark-k3x9/jobs/?app=spark-k3x9');
  });

  it('gives no link for an empty template', () => {
    // Prepare, Act
    const link = fillLinkTemplate('', VALUES);
    // Assess
    expect(link).toBe('');
  });
});

describe('unknownLinkPlaceholders', () => {
  it('names the placeholders a template may not use', () => {
    // Prepare, Act
    const unknown = unknownLinkPlaceholders('https://x.example.com/{appId}/{app_id}?u={user}');
    // Assess
    expect(unknown).toEqual(['app_id', 'user']);
  });
});
