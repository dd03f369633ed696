import type { UserError } from '../core/errors.ts';

interface Props {
  error: UserError;
  /** Follows the error's link in the site's tab rather than in a new one. */
  onLink?: (url: string) => void;
}

export function ErrorAlert({ error, onLink }: Props) {
  const { link } = error;
  return (
    <div role="alert" class="alert">
      <p>{error.sentence}</p>
      <p class="next">
        {error.next}
        {link && (
          <>
            {' '}
            <a
              href={link.url}
              target="_blank"
              rel="noreferrer"
              onClick={(event) => {
                if (!onLink) return;
                event.preventDefault();
                onLink(link.url);
              }}
            >
              {link.label}
            </a>
          </>
        )}
      </p>
    </div>
  );
}
