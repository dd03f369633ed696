// 6. What each part of the store build loads, gzip-compressed file by file (as test/build checks against budgets).
import { pageSize, type Size } from '../test/build/bundle.ts';

export interface SizeFigures {
  popup: Size;
  panel: Size;
  options: Size;
  worker: Size;
}

export function measureSizes(dist: string): SizeFigures {
  return {
    popup: pageSize(dist, 'src/popup/index.html'),
    panel: pageSize(dist, 'src/devtools/panel.html'),
    options: pageSize(dist, 'src/options/index.html'),
    worker: pageSize(dist, 'service-worker-loader.js'),
  };
}
