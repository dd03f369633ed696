import { render } from 'preact';

render(<p>Settings are coming.</p>, document.getElementById('app')!);
