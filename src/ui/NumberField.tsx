interface Props {
  id: string;
  label: string;
  min: number;
  max: number;
  value: string;
  onInput: (value: string) => void;
  /** What is wrong with the value, shown in place of the hint; null when it is fine. */
  problem: string | null;
  hint: string;
}

/** A labelled whole-number field (a spinbutton) with one line under it: the hint, or what is wrong. */
export function NumberField({ id, label, min, max, value, onInput, problem, hint }: Props) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={value}
        aria-invalid={problem !== null}
        aria-describedby={`${id}-hint`}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
      <p id={`${id}-hint`} class={problem ? 'hint problem' : 'hint'}>
        {problem ?? hint}
      </p>
    </div>
  );
}
