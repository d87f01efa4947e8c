import { InvalidRepoUrlError, parseRepoUrl } from './repo-url';

describe('parseRepoUrl', () => {
  it.each([
    ['https://github.com/acme/shop', 'https://github.com/acme/shop.git'],
    ['https://github.com/acme/shop.git', 'https://github.com/acme/shop.git'],
    ['https://github.com/acme/shop/tree/main/src', 'https://github.com/acme/shop.git'],
    ['git@github.com:acme/shop.git', 'https://github.com/acme/shop.git'],
    ['ssh://git@ghe.example.com/acme/shop.git', 'https://ghe.example.com/acme/shop.git'],
    ['https://ghe.example.com:8443/acme/shop', 'https://ghe.example.com:8443/acme/shop.git'],
  ])('turns %s into the HTTPS clone URL %s', (link, cloneUrl) => {
    expect(parseRepoUrl(link).cloneUrl).toBe(cloneUrl);
  });

  it('keeps the owner, name and origin apart so the token can be scoped to the host', () => {
    expect(parseRepoUrl('https://ghe.example.com/acme/shop')).toMatchObject({
      origin: 'https://ghe.example.com',
      owner: 'acme',
      name: 'shop',
      fullName: 'acme/shop',
      webUrl: 'https://ghe.example.com/acme/shop',
    });
  });

  it('refuses plain http unless explicitly allowed', () => {
    expect(() => parseRepoUrl('http://127.0.0.1:9/acme/shop')).toThrow(InvalidRepoUrlError);
    expect(parseRepoUrl('http://127.0.0.1:9/acme/shop', { allowHttp: true }).origin).toBe('http://127.0.0.1:9');
  });

  it('refuses links with credentials, other schemes and missing owner or name', () => {
    expect(() => parseRepoUrl('https://x-access-token:ghp_secret@github.com/acme/shop')).toThrow(/credentials/);
    expect(() => parseRepoUrl('file:///etc/acme/shop')).toThrow(/scheme/);
    expect(() => parseRepoUrl('ext::sh -c touch% /tmp/pwned')).toThrow(InvalidRepoUrlError);
    expect(() => parseRepoUrl('https://github.com/acme')).toThrow(/owner and a repository/);
    expect(() => parseRepoUrl('')).toThrow(/no repository link/);
  });
});
