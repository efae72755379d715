#!/usr/bin/env python3
"""Writes the importable n8n workflows into docs/n8n/ (kept as generated JSON; edit here, then run)."""
import json, os, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'docs', 'n8n')
CRED = {'crypto': {'id': 'SHREhmacSecret01', 'name': 'Self-healing webhook secret'}}
SERVICE_WEBHOOK = "={{ ($env.SELF_HEALING_URL || 'http://127.0.0.1:3080').replace(/\\/+$/, '') + '/api/webhooks/n8n' }}"
N8N_BASE = "($env.WEBHOOK_URL || 'http://localhost:5678/').replace(/\\/*$/, '/')"

def nid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, 'self-healing/' + name))

def node(name, type_, version, pos, params, **extra):
    n = {'parameters': params, 'id': nid(name), 'name': name, 'type': type_, 'typeVersion': version, 'position': pos}
    n.update(extra)
    return n

def bool_if(name, pos, expr):
    return node(name, 'n8n-nodes-base.if', 2.2, pos, {
        'conditions': {
            'options': {'caseSensitive': True, 'leftValue': '', 'typeValidation': 'loose', 'version': 2},
            'conditions': [{'id': nid(name + '/c'), 'leftValue': expr, 'rightValue': '',
                            'operator': {'type': 'boolean', 'operation': 'true', 'singleValue': True}}],
            'combinator': 'and'},
        'looseTypeValidation': True,
        'options': {}})

def hmac(name, pos, value, prop):
    return node(name, 'n8n-nodes-base.crypto', 2, pos,
                {'action': 'hmac', 'type': 'SHA256', 'value': value, 'dataPropertyName': prop, 'encoding': 'hex'},
                credentials=CRED)

def set_node(name, pos, fields, keep=False):
    return node(name, 'n8n-nodes-base.set', 3.4, pos, {
        'assignments': {'assignments': [
            {'id': nid(name + '/' + k), 'name': k, 'value': v, 'type': t} for k, v, t in fields]},
        'includeOtherFields': keep,
        'options': {}})

def respond(name, pos, code, body, kind='json'):
    params = {'respondWith': kind, 'options': {'responseCode': code}}
    params['responseBody' if kind == 'json' else 'responseBody'] = body
    return node(name, 'n8n-nodes-base.respondToWebhook', 1.1, pos, params)

def post_signed(name, pos):
    """POST $json.body (a JSON string) to the service's inbound webhook, signed over exactly those bytes."""
    return node(name, 'n8n-nodes-base.httpRequest', 4.2, pos, {
        'method': 'POST',
        'url': SERVICE_WEBHOOK,
        'sendHeaders': True,
        'headerParameters': {'parameters': [{'name': 'X-Signature', 'value': "={{ 't=' + $json.t + ',v1=' + $json.v1 }}"}]},
        'sendBody': True,
        'contentType': 'raw',
        'rawContentType': 'application/json',
        'body': '={{ $json.body }}',
        # Autodetect parses application/json into `body`; application/problem+json arrives as text in `data`.
        'options': {'response': {'response': {'fullResponse': True, 'neverError': True}}, 'timeout': 30000}})

def post_chat(name, pos):
    return node(name, 'n8n-nodes-base.httpRequest', 4.2, pos, {
        'method': 'POST',
        'url': '={{ $env.APPROVAL_CHAT_WEBHOOK_URL }}',
        'sendBody': True,
        'specifyBody': 'json',
        'jsonBody': '={{ JSON.stringify($json) }}',
        'options': {'timeout': 10000}})

def link(*pairs):
    conns = {}
    for src, dst, out in pairs:
        main = conns.setdefault(src, {'main': []})['main']
        while len(main) <= out:
            main.append([])
        main[out].append({'node': dst, 'type': 'main', 'index': 0})
    return conns

def workflow(wid, name, nodes, connections, note):
    sticky = node('About this workflow', 'n8n-nodes-base.stickyNote', 1, [0, -420],
                  {'content': '## ' + name + '\n' + note + '\n\nSee docs/n8n.md of the self-healing rule engine.', 'height': 260, 'width': 520})
    return {'id': wid, 'name': name, 'nodes': [sticky] + nodes, 'connections': connections, 'active': False,
            'settings': {'executionOrder': 'v1'}, 'pinData': {}, 'tags': []}

# (a) schedule -> read metrics -> signed snapshot -> service
a_nodes = [
    node('Every 30 seconds', 'n8n-nodes-base.scheduleTrigger', 1.2, [0, 0],
         {'rule': {'interval': [{'field': 'seconds', 'secondsInterval': 30}]}}),
    node('Read metrics', 'n8n-nodes-base.httpRequest', 4.2, [220, 0],
         {'url': '={{ $env.METRICS_SOURCE_URL }}', 'options': {'timeout': 10000}}),
    set_node('Snapshot message', [440, 0], [
        ('body', "={{ JSON.stringify({ type: 'snapshot', snapshot: { source: $json.source || 'n8n', timestamp: $now.toUTC().toISO(), metrics: $json.metrics } }) }}", 'string'),
        ('t', '={{ Math.floor($now.toSeconds()) }}', 'string'),
    ]),
    hmac('Sign snapshot', [660, 0], "={{ $json.t + '.' + $json.body }}", 'v1'),
    post_signed('Send snapshot to self-healing', [880, 0]),
]
a = workflow('SHREmetricsPush1', 'Self-healing: push metrics', a_nodes, link(
    ('Every 30 seconds', 'Read metrics', 0), ('Read metrics', 'Snapshot message', 0),
    ('Snapshot message', 'Sign snapshot', 0), ('Sign snapshot', 'Send snapshot to self-healing', 0)),
    'Every 30 s: GET $env.METRICS_SOURCE_URL ({ source?, metrics }), wrap it as a snapshot and POST it, HMAC-signed, to $env.SELF_HEALING_URL/api/webhooks/n8n.')

# (b) events in -> verify -> dedupe -> approvals to a person with links, the rest as notices
EVENT = 'Event from self-healing'
b_nodes = [
    node(EVENT, 'n8n-nodes-base.webhook', 2.1, [0, 0],
         {'httpMethod': 'POST', 'path': 'self-healing-events', 'responseMode': 'responseNode', 'options': {}},
         webhookId=nid('events-webhook')),
    hmac('Expected signature', [220, 0],
         "={{ ($json.headers['x-signature'] || '').split(',')[0].slice(2) + '.' + JSON.stringify($json.body) }}", 'expectedV1'),
    bool_if('Signed and fresh?', [440, 0],
            "={{ ($json.headers['x-signature'] || '').split(',')[1] === 'v1=' + $json.expectedV1 && Math.abs($now.toSeconds() - Number(($json.headers['x-signature'] || '').split(',')[0].slice(2))) <= 300 }}"),
    respond('Accept', [660, -100], 200, '={{ { received: true, id: $json.body.id } }}'),
    respond('Refuse', [660, 120], 401, '={{ { error: "bad or stale X-Signature" } }}'),
    node('Drop repeats of an event id', 'n8n-nodes-base.removeDuplicates', 2, [880, -100],
         {'operation': 'removeItemsSeenInPreviousExecutions', 'dedupeValue': '={{ $json.body.id }}', 'options': {}}),
    bool_if('Pending approval?', [1100, -100], "={{ $json.body.type === 'action.pending_approval' }}"),
    hmac('Approve link token', [1320, -200], "={{ $json.body.action.id + '.approve' }}", 'approveToken'),
    hmac('Reject link token', [1540, -200], "={{ $json.body.action.id + '.reject' }}", 'rejectToken'),
    set_node('Approval request', [1760, -200], [
        ('actionId', '={{ $json.body.action.id }}', 'string'),
        ('approveUrl', "={{ " + N8N_BASE + " + 'webhook/self-healing-decision?actionId=' + $json.body.action.id + '&decision=approve&token=' + $json.approveToken }}", 'string'),
        ('rejectUrl', "={{ " + N8N_BASE + " + 'webhook/self-healing-decision?actionId=' + $json.body.action.id + '&decision=reject&token=' + $json.rejectToken }}", 'string'),
        ('text', "={{ 'Approval needed [' + $json.body.severity + '] ' + $json.body.data.summary + '\\nApprove: ' + " + N8N_BASE + " + 'webhook/self-healing-decision?actionId=' + $json.body.action.id + '&decision=approve&token=' + $json.approveToken + '\\nReject: ' + " + N8N_BASE + " + 'webhook/self-healing-decision?actionId=' + $json.body.action.id + '&decision=reject&token=' + $json.rejectToken }}", 'string'),
        ('event', '={{ $json.body }}', 'object'),
    ]),
    post_chat('Ask a person (chat webhook)', [1980, -200]),
    set_node('Notice', [1320, 40], [
        ('text', "={{ '[' + $json.body.type + '] ' + ($json.body.rule ? 'rule ' + $json.body.rule + ': ' : '') + ($json.body.data.summary || $json.body.data.message || ($json.body.action ? $json.body.action.type + ' ' + $json.body.action.status : '')) }}", 'string'),
        ('event', '={{ $json.body }}', 'object'),
    ]),
    post_chat('Tell the channel (chat webhook)', [1540, 40]),
]
b = workflow('SHREeventsRoute1', 'Self-healing: events and approval requests', b_nodes, link(
    (EVENT, 'Expected signature', 0), ('Expected signature', 'Signed and fresh?', 0),
    ('Signed and fresh?', 'Accept', 0), ('Signed and fresh?', 'Refuse', 1),
    ('Accept', 'Drop repeats of an event id', 0), ('Drop repeats of an event id', 'Pending approval?', 0),
    ('Pending approval?', 'Approve link token', 0), ('Pending approval?', 'Notice', 1),
    ('Approve link token', 'Reject link token', 0), ('Reject link token', 'Approval request', 0),
    ('Approval request', 'Ask a person (chat webhook)', 0), ('Notice', 'Tell the channel (chat webhook)', 0)),
    'Receives every event at /webhook/self-healing-events, checks X-Signature, drops repeated ids, sends approval requests with signed approve/reject links (and other events as notices) to $env.APPROVAL_CHAT_WEBHOOK_URL.')

# (c) decision link -> verify link token -> signed approval -> service -> show the outcome
LINK = 'Decision link clicked'
c_nodes = [
    node(LINK, 'n8n-nodes-base.webhook', 2.1, [0, 0],
         {'httpMethod': 'GET', 'path': 'self-healing-decision', 'responseMode': 'responseNode', 'options': {}},
         webhookId=nid('decision-webhook')),
    hmac('Expected link token', [220, 0], "={{ ($json.query.actionId || '') + '.' + ($json.query.decision || '') }}", 'expectedToken'),
    bool_if('Link genuine?', [440, 0],
            "={{ ['approve', 'reject'].includes($json.query.decision) && $json.query.token === $json.expectedToken }}"),
    set_node('Decision message', [660, -100], [
        ('body', "={{ JSON.stringify({ type: 'approval', actionId: $json.query.actionId, decision: $json.query.decision, by: $json.query.by || 'n8n approval link', comment: 'decided through the n8n approval link' }) }}", 'string'),
        ('t', '={{ Math.floor($now.toSeconds()) }}', 'string'),
    ]),
    hmac('Sign decision', [880, -100], "={{ $json.t + '.' + $json.body }}", 'v1'),
    post_signed('Send decision to self-healing', [1100, -100]),
    set_node('Read the answer', [1320, -100], [
        ('statusCode', '={{ $json.statusCode }}', 'number'),
        ('answer', "={{ typeof $json.body === 'object' && $json.body !== null ? $json.body : (String($json.data || '').trim().startsWith('{') ? JSON.parse($json.data) : {}) }}", 'object'),
    ]),
    respond('Show the outcome', [1540, -100], "={{ $json.statusCode === 200 ? 200 : 409 }}",
            "={{ $json.statusCode === 200 ? 'Done: action ' + $json.answer.id + ' is ' + $json.answer.status + ' (decided by ' + $json.answer.decidedBy + ').' : 'Not done: ' + ($json.answer.detail || ('HTTP ' + $json.statusCode)) }}", kind='text'),
    respond('Not a valid link', [660, 120], 403, 'This approval link is not valid.', kind='text'),
]
c = workflow('SHREdecisionIn01', 'Self-healing: approval decisions', c_nodes, link(
    (LINK, 'Expected link token', 0), ('Expected link token', 'Link genuine?', 0),
    ('Link genuine?', 'Decision message', 0), ('Link genuine?', 'Not a valid link', 1),
    ('Decision message', 'Sign decision', 0), ('Sign decision', 'Send decision to self-healing', 0),
    ('Send decision to self-healing', 'Read the answer', 0), ('Read the answer', 'Show the outcome', 0)),
    'GET /webhook/self-healing-decision?actionId=&decision=approve|reject&token=[&by=]: checks the link token, then POSTs the decision, HMAC-signed, to $env.SELF_HEALING_URL/api/webhooks/n8n and shows the outcome.')

for fname, wf in [('metrics-push.workflow.json', a), ('events-and-approvals.workflow.json', b), ('approval-decision.workflow.json', c)]:
    with open(os.path.join(OUT, fname), 'w') as f:
        json.dump(wf, f, indent=2, ensure_ascii=False)
        f.write('\n')
print('ok')
