// `npm run screenshots`: copies the README's screenshots, which the accessibility e2e run takes on every run into
// artifacts/screenshots/readme/ (ignored by git), to docs/screenshots/. Tests never write into the work tree; the
// committed pictures change only when someone runs this and commits the result.
import { copyFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const from = resolve('artifacts/screenshots/readme');
const to = resolve('docs/screenshots');

const pictures = (await readdir(from)).filter((name) => name.endsWith('.png'));
if (pictures.length === 0) throw new Error(`no screenshots in ${from}: the e2e run of test/e2e/a11y.test.ts takes them`);
for (const name of pictures) await copyFile(join(from, name), join(to, name));
console.log(`Copied ${pictures.length} screenshots to ${to}: ${pictures.join(', ')}`);
