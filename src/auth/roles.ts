export interface RolePolicy {
  adminRoles: readonly string[];
  managerRoles: readonly string[];
}

export interface Standing {
  isAdmin: boolean;
  isManager: boolean;
}

/** ADMIN_ROLES and MANAGER_ROLES applied to the roles a person holds right now. */
export function standingOf(roles: readonly string[], policy: RolePolicy): Standing {
  return {
    isAdmin: roles.some((role) => policy.adminRoles.includes(role)),
    isManager: roles.some((role) => policy.managerRoles.includes(role)),
  };
}
