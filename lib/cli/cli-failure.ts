/**
 * A command that ran as asked but must fail its caller (a gate that found a regression): the message
 * alone goes to stderr, without the usage text commander adds to argument errors.
 */
export class CliFailure extends Error {
  override name = 'CliFailure';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
