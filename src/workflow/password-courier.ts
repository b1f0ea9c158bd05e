export interface TemporaryPasswordDelivery {
  slackUserId: string;
  userId: string;
  password: string;
  validDays: number;
  occasion: 'welcome' | 'reset';
}

/** Finds people in Slack and hands them their temporary password, by DM only. */
export interface PasswordCourier {
  slackUserForEmail(email: string): Promise<string | undefined>;
  sendTemporaryPassword(delivery: TemporaryPasswordDelivery): Promise<void>;
}
