import '../ui/page-language.ts';
import { render } from 'preact';
import { App } from './App.tsx';

render(
  <>
    <header class="brand">
      <img src="/icons/icon-16.png" width={16} height={16} alt="" />
      Tokenmint
    </header>
    <App />
  </>,
  document.getElementById('app')!,
);
