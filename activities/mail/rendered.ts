/** What a renderer produces: plain text, which reads in any client and survives forwarding. */
export interface RenderedMail {
  subject: string;
  text: string;
}
