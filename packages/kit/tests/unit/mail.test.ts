import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  escapeHtml,
  renderMail,
  renderTemplate,
  sendMail,
  templatePlaceholders,
} from '../../src/mail.js';

const TEMPLATE = {
  subject: 'Your sign-in code for {{ appName }}',
  text: 'Hello {{name}}, your code is {{code}}.',
  html: '<p>Hello <b>{{name}}</b>, your code is {{code}}.</p>',
};

describe('renderMail', () => {
  it('fills every placeholder of subject, text and HTML', () => {
    expect(renderMail(TEMPLATE, { appName: 'Authwatch', name: 'User', code: '123456' })).toEqual({
      subject: 'Your sign-in code for Authwatch',
      text: 'Hello User, your code is 123456.',
      html: '<p>Hello <b>User</b>, your code is 123456.</p>',
    });
  });

  it('escapes values in the HTML part only', () => {
    const mail = renderMail(TEMPLATE, { appName: 'A', name: '<script>"x"</script>', code: '1' });
    expect(mail.html).toContain('&lt;script&gt;&quot;x&quot;&lt;/script&gt;');
    expect(mail.text).toContain('<script>"x"</script>');
  });

  it('keeps the subject on one line, so a value cannot add a header', () => {
    const mail = renderMail(TEMPLATE, {
      appName: 'A\r\nBcc: evil@example.com',
      name: 'J',
      code: '1',
    });
    expect(mail.subject).toBe('Your sign-in code for A Bcc: evil@example.com');
  });

  it('refuses a placeholder without a value, naming it', () => {
    expect(() => renderMail(TEMPLATE, { appName: 'A', name: 'J' })).toThrow(
      'mail template placeholder {{code}} has no value',
    );
  });

  it('does not fill a placeholder from Object.prototype', () => {
    expect(() => renderTemplate('{{constructor}}', {})).toThrow(
      'mail template placeholder {{constructor}} has no value',
    );
  });

  it('lists the placeholders a template uses', () => {
    expect(templatePlaceholders(TEMPLATE.text)).toEqual(['name', 'code']);
  });
});

describe('escapeHtml', () => {
  it('leaves no character that could open markup or an attribute', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(escapeHtml(text)).not.toMatch(/[<>"']/);
      }),
    );
  });

  it('inserts values literally, whatever replacement patterns they hold', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(renderTemplate('[{{v}}]', { v: value })).toBe(`[${value}]`);
      }),
    );
  });
});

describe('sendMail', () => {
  const ses = mockClient(SESClient);
  afterEach(() => ses.reset());

  it('sends one SendEmail with text and HTML and returns the message id', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
    const mail = {
      ...renderMail(TEMPLATE, { appName: 'A', name: 'User', code: '123456' }),
      from: 'no-reply@example.com',
      to: 'user.one@example.com',
      configurationSet: 'authwatch',
    };
    // Act
    const id = await sendMail(new SESClient({ region: 'eu-west-1' }), mail, Date.now() + 1_000);
    // Assess
    expect(id).toBe('msg-1');
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Source: 'no-reply@example.com',
      Destination: { ToAddresses: ['user.one@example.com'] },
      Message: {
        Subject: { Data: 'Your sign-in code for A', Charset: 'UTF-8' },
        Body: {
          Text: { Data: 'Hello User, your code is 123456.', Charset: 'UTF-8' },
          Html: { Data: '<p>Hello <b>User</b>, your code is 123456.</p>', Charset: 'UTF-8' },
        },
      },
      ConfigurationSetName: 'authwatch',
    });
  });

  it('passes SES failures on to the caller', async () => {
    ses.on(SendEmailCommand).rejects(new Error('MessageRejected'));
    await expect(
      sendMail(
        new SESClient({ region: 'eu-west-1' }),
        { ...TEMPLATE, from: 'a@example.com', to: 'b@example.com' },
        Date.now() + 1_000,
      ),
    ).rejects.toThrow('MessageRejected');
  });
});
