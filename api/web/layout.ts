/**
 * The chrome of the pages for coordinators, funders and agency staff: a skip link, the service name, the signed-in
 * role's navigation, who is signed in and sign-out, then the page. No script: every page works without one.
 */
import type { Role } from '../../config/env';
import type { Caller } from '../auth';
import { html, type SafeHtml } from '../html';
import { WEB_STYLE } from './style';

export interface NavItem {
  href: string;
  label: string;
}

/** What each role reaches from every page (admins see the coordinators' and the funders' pages over every project). */
export const NAV: Record<Role, NavItem[]> = {
  coordinator: [
    { href: '/app/projects', label: 'Projects' },
    { href: '/app/projects/new', label: 'Submit a project' },
    { href: '/dashboard', label: 'Dashboard' },
  ],
  funder: [
    { href: '/app/portfolio', label: 'Portfolio' },
    { href: '/app/cycles/new', label: 'Launch a cycle' },
    { href: '/app/stalled', label: 'Held and stalled' },
    { href: '/dashboard', label: 'Dashboard' },
  ],
  agency: [
    { href: '/app/queue', label: 'Queue' },
    { href: '/app/figures', label: 'Figures' },
  ],
  admin: [
    { href: '/app/projects', label: 'Projects' },
    { href: '/app/portfolio', label: 'Portfolio' },
    { href: '/app/stalled', label: 'Held and stalled' },
    { href: '/dashboard', label: 'Dashboard' },
  ],
};

export interface PageParts {
  /** The page's own title; "Error: " goes before it when the page shows errors (the error summary's pattern). */
  title: string;
  caller: Caller;
  /** The path of the page, to mark its navigation item as current. */
  path: string;
  body: SafeHtml;
  hasErrors?: boolean;
}

/** The navigation item a page is under: the longest that is its path or a folder of it (`/app/projects/new` is not under Projects). */
function currentItem(items: NavItem[], path: string): NavItem | undefined {
  const under = items.filter((item) => path === item.href || path.startsWith(item.href + '/'));
  return under.sort((a, b) => b.href.length - a.href.length)[0];
}

export function webPage({ title, caller, path, body, hasErrors }: PageParts): string {
  const current = currentItem(NAV[caller.role], path);
  const nav = NAV[caller.role].map((item) => html`<li><a href="${item.href}"${item === current && html` aria-current="page"`}>${item.label}</a></li>`);
  return String(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><link rel="icon" href="data:,"><title>${hasErrors ? 'Error: ' : ''}${title} – Export licence reviews</title>
<style>${WEB_STYLE}</style></head>
<body><a class="skip" href="#main">Skip to main content</a>
<header class="top"><div class="bar"><a class="brand" href="/app">Export licence reviews</a>
<nav aria-label="Main"><ul>${nav}</ul></nav>
<div class="who"><span>Signed in as ${caller.name ? `${caller.name} (${caller.role})` : caller.actor}</span>
<form method="post" action="/dashboard/sign-out"><button class="secondary" type="submit">Sign out</button></form></div></div></header>
<main id="main">${body}</main></body></html>`);
}
