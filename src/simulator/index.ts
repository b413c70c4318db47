/** The SendPulse simulator: start one with startSimulator(); see README.md beside this file. */
export { startSimulator } from './simulator';
export { loadAccountsFile } from './accounts-file';
export { defaultAccounts } from './account-store';
export { demoAccount, generateAccount, formatDate, formatDateTime, sampleBalanceDetail, sampleTeam, sampleUserInfo } from './default-accounts';
export { PLAN_QUOTAS } from './quota';
export { FAULT_KINDS, SIM_ENDPOINTS } from './types';
export type * from './types';
