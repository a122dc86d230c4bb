/** Kubernetes resource quantities: CPU in millicores, memory in bytes, parsed and printed as kubectl writes them. */

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/;
const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** Millicores from `2`, `0.5`, `500m` or a number of cores; null when it is not a CPU quantity. */
export const parseCpu = (value: string | number): number | null => {
  const match = CPU.exec(String(value).trim());
  if (!match) return null;
  // 1.005 * 1000 is 1004.9999999999999 in floating point; a millicore is the finest unit Kubernetes keeps.
  const millis = Math.round((match[2] ? Number(match[1]) : Number(match[1]) * 1000) * 1e6) / 1e6;
  return Number.isInteger(millis) && millis >= 1 ? millis : null;
};

/** Bytes from `4Gi`, `512Mi`, `1G` or plain bytes; null when it is not a memory quantity. */
export const parseMemory = (value: string | number): number | null => {
  const match = MEMORY.exec(String(value).trim());
  if (!match) return null;
  const bytes = Number(match[1]) * MEMORY_UNITS[match[2] ?? '']!;
  return Number.isFinite(bytes) && bytes >= 1 ? Math.round(bytes) : null;
};

/** `1500m` → `1500m`, `2000` → `2`: whole cores without a suffix. */
export const formatCpu = (millis: number): string => (millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`);

/** Bytes as the largest binary unit that divides them: `4Gi`, `1536Mi`. */
export const formatMemory = (bytes: number): string => {
  for (const unit of ['Ti', 'Gi', 'Mi', 'Ki'] as const)
    if (bytes % MEMORY_UNITS[unit]! === 0) return `${bytes / MEMORY_UNITS[unit]!}${unit}`;
  return String(bytes);
};
