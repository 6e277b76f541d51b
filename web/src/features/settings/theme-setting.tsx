/** The dashboard theme: the system's, light or dark (kept in this browser). */
import { useState } from 'react';
import { Section } from '../../components/page';
import { setTheme, storedTheme, type Theme } from '../../lib/theme';

const THEME_LABELS: Record<Theme, string> = { system: 'Same as the system', light: 'Light', dark: 'Dark' };

export function ThemeSetting() {
  const [theme, set] = useState<Theme>(storedTheme);
  return (
    <Section title="Theme">
      <fieldset className="radio-row">
        <legend className="visually-hidden">Dashboard theme</legend>
        {(['system', 'light', 'dark'] as const).map((option) => (
          <label key={option} className="radio">
            <input
              type="radio"
              name="theme"
              value={option}
              checked={theme === option}
              onChange={() => {
                set(option);
                setTheme(option);
              }}
            />
            {THEME_LABELS[option]}
          </label>
        ))}
      </fieldset>
    </Section>
  );
}
