import { siteError } from '../core/errors.ts';

// Placeholder signature of the self-clearing clipboard, filled in by its own change.
export async function copyToClipboard(_text: string): Promise<{ clearsAt: number | null }> {
  throw siteError('internal', 'Copying through the background is not built yet.', 'Use the Copy button.');
}
