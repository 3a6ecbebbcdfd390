% # The call-centre wallboard (webui/wallboard.py, static/wallboard.js): a page of its own for a big screen, without
% # the navigation (a wallboard link has no user); filled and kept current by the event stream `events`.
<!DOCTYPE html>
<html lang="{{language()}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}: {{board}} · Callbox</title>
<link rel="stylesheet" href="/static/callbox.css">
<link rel="icon" href="data:,">
</head>
<body class="wallboard" data-events="{{events}}">
<header class="wb-head">
  <h1>{{title}}: {{board}}</h1>
  <span id="wb-clock" class="wb-clock"></span>
  <span id="wb-status" class="pill">…</span>
</header>
<main>
<p id="wb-alert" class="banner warn" hidden></p>
<section id="wb-queues" class="wb-queues" aria-live="polite"></section>
<section id="wb-states" class="wb-states"></section>
<table class="wb-agents">
  <thead><tr><th>{{_('Agent')}}</th><th>{{_('State')}}</th><th>{{_('For')}}</th></tr></thead>
  <tbody id="wb-agents"></tbody>
</table>
</main>
<template id="wb-queue">
  <div class="wb-queue">
    <h2 data-f="queue"></h2>
    <p class="wb-waiting"><span class="wb-n" data-f="waiting"></span> {{_('waiting')}}</p>
    <p>{{_('Longest wait')}} <span class="wb-v" data-f="longest"></span></p>
    <dl>
      <dt>{{_('Offered')}}</dt><dd data-f="offered"></dd>
      <dt>{{_('Answered')}}</dt><dd data-f="answered"></dd>
      <dt>{{_('Service level')}}</dt><dd data-f="service_level_pct"></dd>
      <dt>{{_('ASA')}}</dt><dd data-f="asa_s"></dd>
      <dt>{{_('Lost')}}</dt><dd data-f="lost_pct"></dd>
    </dl>
  </div>
</template>
<script type="application/json" id="wb-labels">{{!labels}}</script>
<script src="/static/wallboard.js"></script>
</body>
</html>
