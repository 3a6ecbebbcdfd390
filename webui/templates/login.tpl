% # Login form. Scripts can POST the same fields (username, password) with Accept: application/json.
% rebase('base.tpl', title=_('Log in'), nav='', refresh=None)
<h1>{{_('Log in')}}</h1>
% if error:
<p class="banner warn">{{error}}</p>
% end
<form method="post" action="/login" class="form">
  <input type="hidden" name="next" value="{{next}}">
  <p><label>{{_('Username')}}<br><input name="username" value="{{username}}" autocomplete="username" required autofocus></label></p>
  <p><label>{{_('Password')}}<br><input name="password" type="password" autocomplete="current-password" required></label></p>
  <p><button type="submit">{{_('Log in')}}</button></p>
</form>
