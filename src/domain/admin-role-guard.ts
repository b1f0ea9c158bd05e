export type AdminRoleRemoval = 'removed' | 'absent' | 'last-admin';

/** Removes admin-role rows so that, however many run at once, an admin always remains. */
export interface AdminRoleGuard {
  removeAdminRole(userId: string, roleName: string): Promise<AdminRoleRemoval>;
}
