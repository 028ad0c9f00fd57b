/**
 * The pages' one style sheet (the CSP allows the inline <style> element, no style attributes). The dashboard's palette
 * and type; the patterns' shapes (error summary, task list, summary list) after the GOV.UK Design System's, not its brand.
 * Colours keep a contrast of at least 4.5:1 on white; every focusable element shows a 3px focus ring.
 */
import { raw } from '../html';

export const WEB_STYLE = raw(`
  * { box-sizing: border-box; }
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; background: #f4f6f8; margin: 0; }
  a { color: #1d4ed8; } a:hover { color: #1e3a8a; }
  :focus-visible { outline: 3px solid #f59e0b; outline-offset: 1px; }
  .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: #fff; padding: .25rem .5rem; }
  header.top { background: #fff; border-bottom: 1px solid #e4e7eb; }
  .bar { max-width: 72rem; margin: 0 auto; padding: .75rem 2rem; display: flex; align-items: center; gap: 1.25rem; flex-wrap: wrap; }
  .brand { font-weight: 700; color: #1f2933; text-decoration: none; } nav ul { list-style: none; display: flex; gap: 1.1rem; margin: 0; padding: 0; }
  nav a { text-decoration: none; font-weight: 600; } nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: .3rem; }
  .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; color: #52606d; font-size: .9rem; } .who form { margin: 0; }
  main { max-width: 72rem; margin: 1.5rem auto 3rem; padding: 0 2rem; }
  .panel { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 1.5rem 2rem; margin: 0 0 1.5rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .5rem; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; } h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
  .lede { color: #52606d; margin: 0 0 1.25rem; } .hint { color: #52606d; font-size: .92rem; display: block; margin: 0 0 .3rem; }
  .group { margin: 0 0 1.25rem; } .group.error { border-left: 5px solid #b91c1c; padding-left: .9rem; }
  label, legend { font-weight: 600; display: block; margin: 0 0 .25rem; } fieldset { border: 0; padding: 0; margin: 0 0 1.25rem; }
  fieldset.rows { border: 1px solid #cbd2d9; border-radius: 6px; padding: .75rem 1rem .25rem; } fieldset.rows legend { padding: 0 .25rem; }
  input[type=text], input[type=email], input[type=date], input[type=datetime-local], input[type=number], input[type=search], select, textarea {
    font: inherit; padding: .45rem .6rem; border: 2px solid #52606d; border-radius: 4px; width: 100%; max-width: 36rem; background: #fff; }
  input.short { max-width: 12rem; } textarea { min-height: 6rem; }
  .error input, .error select, .error textarea { border-color: #b91c1c; }
  .field-error { color: #b91c1c; font-weight: 700; display: block; margin: 0 0 .3rem; }
  .choice { display: flex; gap: .5rem; align-items: flex-start; font-weight: 400; margin: 0 0 .4rem; } .choice input { margin-top: .35rem; }
  button, .button { font: inherit; font-weight: 600; padding: .55rem 1.3rem; border: 0; border-radius: 6px; background: #166534; color: #fff;
    cursor: pointer; text-decoration: none; display: inline-block; }
  button.secondary, .button.secondary { background: #e4e7eb; color: #1f2933; } button.warning { background: #b91c1c; }
  button.link { background: none; color: #1d4ed8; padding: 0; text-decoration: underline; font-weight: 400; }
  .actions { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: 1.5rem 0 0; }
  .error-summary { border: 4px solid #b91c1c; padding: 1rem 1.25rem; margin: 0 0 1.5rem; background: #fff; }
  .error-summary h2 { margin: 0 0 .5rem; } .error-summary ul { margin: 0; padding-left: 1.2rem; } .error-summary a { color: #b91c1c; font-weight: 700; }
  .banner { border-left: 6px solid #166534; background: #dcfce7; padding: .8rem 1rem; margin: 0 0 1.25rem; }
  .banner.info { border-color: #1d4ed8; background: #e0f2fe; } .banner.warn { border-color: #b45309; background: #fef3c7; }
  table { width: 100%; border-collapse: collapse; font-size: .95rem; margin: 0 0 1rem; } caption { text-align: left; font-weight: 700; margin: 0 0 .4rem; }
  th { text-align: left; border-bottom: 2px solid #cbd2d9; padding: .45rem .6rem; }
  td { border-bottom: 1px solid #e4e7eb; padding: .55rem .6rem; vertical-align: top; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  dl.summary { display: grid; grid-template-columns: 14rem 1fr auto; margin: 0 0 1.5rem; border-top: 1px solid #e4e7eb; }
  dl.summary dt, dl.summary dd { margin: 0; padding: .55rem .5rem .55rem 0; border-bottom: 1px solid #e4e7eb; } dl.summary dt { font-weight: 600; }
  ol.tasks { list-style: none; padding: 0; margin: 0 0 1.5rem; border-top: 1px solid #e4e7eb; }
  ol.tasks li { display: flex; justify-content: space-between; gap: 1rem; padding: .65rem 0; border-bottom: 1px solid #e4e7eb; }
  .tag { display: inline-block; padding: .05rem .5rem; border-radius: 4px; font-size: .85rem; font-weight: 700; background: #e4e7eb; color: #1f2933; }
  .tag.done { background: #dcfce7; color: #14532d; } .tag.todo { background: #dbeafe; color: #1e3a8a; }
  .tag.late, .tag.bad { background: #fee2e2; color: #991b1b; }
  .filters { display: flex; gap: 1rem; align-items: flex-end; flex-wrap: wrap; margin: 0 0 1rem; } .filters .group { margin: 0; }
  .muted { color: #52606d; } .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88rem; overflow-wrap: anywhere; }
  ul.plain { list-style: none; padding: 0; margin: 0; } ul.plain li { margin: 0 0 .2rem; }
  td.when { white-space: nowrap; }
`);
