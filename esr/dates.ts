// Dates of birth as staff type them in the UK: day first, always. "14/03/1985", "14-3-85", "14 March 1985",
// "1985-03-14". Two-digit years are read as the most recent year that makes the person at least 15.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export type DateParse = { ok: true; iso: string; twoDigitYear: boolean } | { ok: false; reason: 'format' | 'no_such_date' | 'future' | 'too_old' };

export function parseDateOfBirth(input: string, today: Date): DateParse {
  const text = input.trim().toLowerCase().replace(/(\d)(st|nd|rd|th)\b/g, '$1').replace(/,/g, ' ');
  let day: number, month: number, yearText: string;
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (m) {
    yearText = m[1]!;
    month = Number(m[2]);
    day = Number(m[3]);
  } else if ((m = /^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2}|\d{4})$/.exec(text))) {
    day = Number(m[1]);
    month = Number(m[2]);
    yearText = m[3]!;
  } else if ((m = /^(\d{1,2})\s*[-\s/]?\s*([a-z]{3,9})\.?\s*[-\s/]?\s*(\d{2}|\d{4})$/.exec(text))) {
    day = Number(m[1]);
    const monthIndex = MONTHS.findIndex((name) => m![2]!.startsWith(name) && isMonthName(m![2]!, name));
    if (monthIndex < 0) return { ok: false, reason: 'format' };
    month = monthIndex + 1;
    yearText = m[3]!;
  } else {
    return { ok: false, reason: 'format' };
  }
  const twoDigitYear = yearText.length === 2;
  let year = Number(yearText);
  if (twoDigitYear) {
    const thisYear = today.getUTCFullYear();
    year = 2000 + year;
    if (year > thisYear - 15) year -= 100;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { ok: false, reason: 'no_such_date' };
  }
  if (date.getTime() > today.getTime()) return { ok: false, reason: 'future' };
  if (year < today.getUTCFullYear() - 110) return { ok: false, reason: 'too_old' };
  return { ok: true, iso: date.toISOString().slice(0, 10), twoDigitYear };
}

// "mar", "march" and "marc" are March; "marzipan" is not.
function isMonthName(word: string, prefix: string): boolean {
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'][
    MONTHS.indexOf(prefix)
  ]!;
  return full.startsWith(word) || (prefix === 'sep' && word === 'sept');
}
