// A session's history and monitoring links come from configured templates such as
// `https://grafana.example.com/d/spark?var-app={appId}`; an empty template means no link.

/** The placeholders a link template may use. */
export const LINK_PLACEHOLDERS = ['appId', 'sessionId', 'server', 'owner'] as const;

/** The values of a link's placeholders. */
export type LinkValues = Readonly<Record<(typeof LINK_PLACEHOLDERS)[number], string>>;

/** The placeholders `{name}` a template uses that are not LINK_PLACEHOLDERS (configuration refuses them). */
export const unknownLinkPlaceholders = (template: string): string[] =>
  [...template.matchAll(/\{([^{}]*)\}/g)]
    .map((m) => m[1]!)
    .filter((name) => !(LINK_PLACEHOLDERS as readonly string[]).includes(name));

/** Fills a link template, each value URL-encoded (an owner may be an email); an empty template gives ''. */
export const fillLinkTemplate = (template: string, values: LinkValues): string =>
  template.replace(/\{(appId|sessionId|server|owner)\}/g, (_, name: keyof LinkValues) =>
    encodeURIComponent(values[name]),
  );
