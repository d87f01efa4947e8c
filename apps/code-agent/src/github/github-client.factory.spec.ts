import { apiUrlFor } from './github-client.factory';

describe('apiUrlFor', () => {
  it('uses api.github.com for repositories on github.com', () => {
    expect(apiUrlFor({ host: 'github.com', origin: 'https://github.com' }, 'https://api.github.com')).toBe('https://api.github.com');
  });

  it('finds the GitHub Enterprise API on the repository host when GITHUB_API_URL was left at its default', () => {
    expect(apiUrlFor({ host: 'ghe.example.com', origin: 'https://ghe.example.com' }, 'https://api.github.com')).toBe('https://ghe.example.com/api/v3');
  });

  it('always uses GITHUB_API_URL when it was set', () => {
    expect(apiUrlFor({ host: 'ghe.example.com', origin: 'https://ghe.example.com' }, 'https://api.ghe.example.com/v3')).toBe('https://api.ghe.example.com/v3');
  });
});
