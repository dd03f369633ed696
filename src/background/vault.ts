import { siteError } from '../core/errors.ts';
import type { VaultStatus } from '../core/settings.ts';

// Placeholder signatures of the persistent vault, filled in by its own change.
const notYet = (): never => {
  throw siteError('internal', 'The persistent vault is not built yet.', 'Keep tokens for this session only.');
};

export async function vaultStatus(): Promise<VaultStatus> {
  return notYet();
}
export async function setUpVault(_passphrase: string): Promise<VaultStatus> {
  return notYet();
}
export async function unlockVault(_passphrase: string): Promise<VaultStatus> {
  return notYet();
}
export async function lockVault(): Promise<VaultStatus> {
  return notYet();
}
export async function changePassphrase(_current: string, _next: string): Promise<VaultStatus> {
  return notYet();
}
export async function exportVault(_withSecrets: boolean): Promise<string> {
  return notYet();
}
export async function wipeVault(): Promise<VaultStatus> {
  return notYet();
}
