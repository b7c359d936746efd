import { useEffect, useState } from 'preact/hooks';

/** Hash routes (`#/generations/<id>`): the static server needs no fallback, and nothing secret is in them. */
export interface Route {
  page: string;
  id?: string;
  params: URLSearchParams;
}

function parse(hash: string): Route {
  const [pathPart, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = '', id] = pathPart.split('/').map(decodeURIComponent);
  return { page, id, params: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const update = () => setRoute(parse(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export const href = (page: string, id?: string, params?: Record<string, string>) => {
  const search = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString() : '';
  return `#/${page}${id ? `/${encodeURIComponent(id)}` : ''}${search ? `?${search}` : ''}`;
};

export const navigate = (to: string) => {
  location.hash = to.replace(/^#/, '');
};
