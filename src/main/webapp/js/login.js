const params = new URLSearchParams(window.location.search);
const message = document.getElementById('message');
if (params.has('failed')) message.textContent = 'Wrong user or password.';
if (params.has('out')) {
  message.textContent = 'You are logged out.';
  message.className = 'login-message ok';
}
document.getElementById('next').value = params.get('next') || '';
document.getElementById('user').focus();
