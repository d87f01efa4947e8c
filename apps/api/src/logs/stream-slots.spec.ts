import { StreamSlots } from './stream-slots';

describe('StreamSlots', () => {
  it('gives each user up to the limit and refuses one more', () => {
    const slots = new StreamSlots(2);
    expect(slots.tryTake('ann')).toEqual(expect.any(Function));
    expect(slots.tryTake('ann')).toEqual(expect.any(Function));
    expect(slots.tryTake('ann')).toBeNull();
    expect(slots.tryTake('bob')).toEqual(expect.any(Function));
    expect(slots.heldBy('ann')).toBe(2);
    expect(slots.heldBy('bob')).toBe(1);
  });

  it('frees a slot once however often it is released', () => {
    const slots = new StreamSlots(2);
    const first = slots.tryTake('ann');
    slots.tryTake('ann');
    first?.();
    first?.();
    expect(slots.heldBy('ann')).toBe(1);
    expect(slots.tryTake('ann')).toEqual(expect.any(Function));
    expect(slots.tryTake('ann')).toBeNull();
  });

  it('forgets a user who holds nothing', () => {
    const slots = new StreamSlots(1);
    slots.tryTake('ann')?.();
    expect(slots.heldBy('ann')).toBe(0);
    expect(slots['held'].size).toBe(0);
  });
});
