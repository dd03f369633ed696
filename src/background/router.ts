import browser, { type Runtime } from 'webextension-polyfill';
import { siteError, toUserError } from '../core/errors.ts';
import { isEnvelope, type Answer, type MessageKind, type Payload, type Reply } from '../core/messages.ts';
import { sites } from '../sites/index.ts';
import { copyToClipboard } from './clipboard.ts';
import { keepReveal, keptByDigest, keptToken } from './kept-tokens.ts';
import { awaitJob, startMint } from './mint-jobs.ts';
import { copyAs, panelState, regenerateRow, revokeRow, verifyRow } from './panel.ts';
import { allRecipes, deleteRecipe, recipeNames, saveRecipe, testRecipe } from './recipes.ts';
import { endReveal, getReveal } from './reveals.ts';
import { isOwnPage } from './sender.ts';
import { getSettings, saveSettings } from './settings-store.ts';
import { tabState } from './tab-state.ts';
import { changePassphrase, exportVault, lockVault, setUpVault, unlockVault, vaultStatus, wipeVault } from './vault.ts';
import { t } from '../core/i18n.ts';

type Handlers = { [K in MessageKind]: (payload: Payload<K>) => Promise<Answer<K>> };

const handlers: Handlers = {
  'tab-state': ({ tabId }) => tabState(tabId),

  mint: ({ tabId, origin, siteId, ...input }) => startMint({ tabId, origin, siteId, input }),

  'await-job': ({ jobId }) => awaitJob(jobId),

  async 'end-reveal'({ revealId }) {
    await endReveal(revealId);
    return null;
  },

  async 'keep-reveal'({ revealId }) {
    const reveal = await getReveal(revealId);
    if (!reveal) throw siteError('not-found', t('request_revealGone'), t('request_revealGoneNext'));
    await keepReveal(reveal, { scopes: reveal.scopes, expiresAt: reveal.expiresAt });
    return { mode: (await vaultStatus()).mode };
  },

  'panel-state': ({ tabId, claimedOrigin }) => panelState(tabId, claimedOrigin),
  revoke: (row) => revokeRow(row),
  verify: (row) => verifyRow(row),
  'copy-as': ({ keptId, format }) => copyAs(keptId, format),
  regenerate: (row) => regenerateRow(row),
  'match-credentials': ({ digests }) => keptByDigest(digests),

  async copy({ from, id, what }) {
    const token = from === 'reveal' ? await getReveal(id) : await keptToken(id);
    if (!token) throw siteError('not-found', t('request_keptGone'), t('request_keptGoneNext'));
    const text = what === 'header' ? token.header : token.secret;
    if (!text) throw siteError('invalid', t('request_noHeader'), t('request_noHeaderNext'));
    return copyToClipboard(text);
  },

  'settings-get': async () => ({
    settings: await getSettings(),
    vault: await vaultStatus(),
    sites: [...sites.map(({ id, name }) => ({ id, name })), ...(await recipeNames())],
  }),
  async 'settings-set'({ settings }) {
    await saveSettings(settings);
    return null;
  },
  'vault-setup': ({ passphrase }) => setUpVault(passphrase),
  'vault-unlock': ({ passphrase }) => unlockVault(passphrase),
  'vault-lock': () => lockVault(),
  'vault-passphrase': ({ current, next }) => changePassphrase(current, next),
  'vault-export': ({ withSecrets }) => exportVault(withSecrets),
  'vault-wipe': () => wipeVault(),
  'recipes-get': () => allRecipes(),
  'recipe-save': ({ text }) => saveRecipe(text),
  'recipe-delete': ({ id }) => deleteRecipe(id),
  'recipe-test': ({ text }) => testRecipe(text),
};

export const refused: Reply<never> = {
  ok: false,
  error: {
    code: 'internal',
    sentence: t('request_foreign'),
    next: t('request_foreignNext'),
  },
};

/** Runs one checked request; whatever goes wrong comes back as the user's sentence, never as an exception. */
export async function dispatch<K extends MessageKind>(kind: K, payload: Payload<K>): Promise<Reply<Answer<K>>> {
  try {
    return { ok: true, value: await (handlers[kind] as (p: Payload<K>) => Promise<Answer<K>>)(payload) };
  } catch (error) {
    return { ok: false, error: toUserError(error) };
  }
}

/** Whether a message or port comes from one of the extension's own pages. */
export function fromOwnPage(sender: Runtime.MessageSender | undefined): boolean {
  const ownOrigin = browser.runtime.getURL('').replace(/\/$/, '');
  return sender !== undefined && isOwnPage(sender, browser.runtime.id, ownOrigin);
}

export function listen(): void {
  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
    if (!fromOwnPage(sender) || !isEnvelope(message)) return Promise.resolve(refused);
    return dispatch(message.kind, message.payload);
  });
}
