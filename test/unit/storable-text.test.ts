/** Text the record store can keep (api/storable-text.ts): NUL and lone surrogates are named, anything else passes. */
import { unstorableText } from '../../api/storable-text';

test('a NUL character or half of a surrogate pair, in a value or a name, is named with its path', () => {
  const body = { title: 'ok', partners: [{ id: 'kit', name: 'Karlsruhe \udfff' }], note: 'a\u0000b', ['x\ud800']: 1 };
  expect(unstorableText(body, 'body')).toEqual([
    { path: 'body.partners.0.name', message: expect.stringContaining('surrogate') },
    { path: 'body.note', message: expect.stringContaining('NUL') },
    { path: 'body.x?', message: expect.stringContaining("this field's name") },
  ]);
});

test('whole pairs, emoji, combining marks and right-to-left text are kept', () => {
  expect(unstorableText({ a: '👩‍🔬 e\u0301 \u202Eevil \ud83d\ude00', b: ['\uFEFF', 3, null] }, 'body')).toEqual([]);
});
