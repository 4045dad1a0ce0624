// Printing one part of a signed-in page (a receipt): the part is rendered inside an
// element with class `ck-print-area` (a child of <body>, e.g. through <Teleport to="body">);
// while printing, <body> gets `ck-printing` and styles.css hides everything else.
export function printArea() {
  document.body.classList.add('ck-printing')
  const done = () => {
    document.body.classList.remove('ck-printing')
    window.removeEventListener('afterprint', done)
  }
  window.addEventListener('afterprint', done)
  try {
    window.print()
  } finally {
    // print() blocks in most browsers; a stub or a non-blocking one leaves it to afterprint
    setTimeout(done, 1000)
  }
}
