import type { Role } from '../api-client.ts';
import { roleLabel } from '../format.ts';

/**
 * The options of an AWS role picker: "No AWS role", then the caller's roles. A `current` role the caller no longer
 * holds stays listed, so the select shows the truth until it is changed.
 */
export const RoleOptions = ({
  roles,
  current = null,
  label = roleLabel,
}: {
  roles: Role[] | undefined;
  current?: string | null;
  label?: (role: Role) => string;
}) => (
  <>
    <option value="">No AWS role</option>
    {current && !roles?.some((r) => r.name === current) ? <option value={current}>{current}</option> : null}
    {roles?.map((r) => (
      <option key={r.name} value={r.name}>
        {label(r)}
      </option>
    ))}
  </>
);
