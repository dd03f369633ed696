/**
 * A ref that focuses its element when it is mounted. The `autofocus` attribute only works for the first element a
 * page shows: controls that replace others later (the reveal's Copy, a confirm button, the button a cancel returns
 * to) would leave keyboard focus on the page's body without this.
 */
export function focusOnMount(element: HTMLElement | null): void {
  element?.focus();
}

/** A ref for a form: focuses its first enabled field, or else its button, when it is mounted. */
export function focusFirstControl(form: HTMLElement | null): void {
  form?.querySelector<HTMLElement>('input:enabled, button:enabled')?.focus();
}
