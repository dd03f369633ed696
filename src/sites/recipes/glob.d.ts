/** The slice of Vite's `import.meta.glob` that src/sites/recipes/index.ts uses (Vite's client types are not loaded). */
interface ImportMeta {
  glob<T>(pattern: string, options: { query: string; import: 'default'; eager: true }): Record<string, T>;
}
