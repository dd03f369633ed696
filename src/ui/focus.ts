/**
 * A ref that focuses its element when it is mounted. The `autofocus` attribute only works for the first element a
 * page shows: controls that replace others later (the reveal's Copy, a confirm button, the button a cancel returns
 * to) would leave keyboard focus on the page's body without this.
 */
export function focusOnMount(element: HTMLElement | null): void {
  element?.focus();
}
