// The clipboard's offscreen document: filled in by the clipboard change.
export {};
