import { MinusIcon, PlusIcon } from './icons';

/**
 * − n + for one tier. The buttons say what they do to a screen reader
 * ("Add one VIP ticket"); the count is announced as it changes.
 */
export function QuantityStepper({
  label,
  value,
  max,
  disabled = false,
  onChange,
  describedBy,
}: {
  label: string;
  value: number;
  max: number;
  disabled?: boolean;
  onChange: (next: number) => void;
  describedBy?: string | undefined;
}) {
  const button =
    'grid h-11 w-11 place-items-center rounded-full border text-lg transition-colors disabled:cursor-not-allowed ' +
    'border-slate-300 bg-white text-slate-800 hover:border-indigo-500 hover:text-indigo-700 ' +
    'disabled:border-slate-200 disabled:bg-slate-50 disabled:text-slate-300';
  return (
    <div role="group" aria-label={`${label} quantity`} aria-describedby={describedBy} className="flex items-center gap-2">
      <button
        type="button"
        className={button}
        aria-label={`Remove one ${label} ticket`}
        disabled={disabled || value <= 0}
        onClick={() => {
          onChange(value - 1);
        }}
      >
        <MinusIcon />
      </button>
      <output aria-live="polite" aria-label={`${label} tickets selected`} className="w-8 text-center text-lg font-semibold tabular-nums">
        {value}
      </output>
      <button
        type="button"
        className={button}
        aria-label={`Add one ${label} ticket`}
        disabled={disabled || value >= max}
        onClick={() => {
          onChange(value + 1);
        }}
      >
        <PlusIcon />
      </button>
    </div>
  );
}
