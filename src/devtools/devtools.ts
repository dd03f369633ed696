import browser from 'webextension-polyfill';

// The devtools page lives as long as a DevTools window does; all it does is add the panel.
void browser.devtools.panels.create('Tokenmint', '/icons/icon-32.png', '/src/devtools/panel.html');
