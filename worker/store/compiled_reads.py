"""The SQLite statements of `wire stories` and `wire versions`, compiled from
`worker.store.reads` (`compiled_reads`): written by scripts/compile_reads.py, never by
hand."""

HEAD = '0018'
STATEMENTS = {'all:::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
            'stories.received_at, stories.updated_at, stories.revision, stories.version, '
            'stories.version_seq, stories.version_created, stories.content_hash, '
            'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
            'stories.signals, stories.headline, stories.slugline, stories.byline, '
            'stories.dateline, stories.language, stories.body_html, stories.body_text, '
            'stories.subjects, stories.keywords, stories.credits, stories.link, '
            'stories.word_count \n'
            'FROM stories ORDER BY stories.version_created DESC, stories.id DESC\n'
            ' LIMIT ? OFFSET ?',
            ['limit', [0]]),
 'all:::cluster': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                   'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                   'stories.version_seq, stories.version_created, stories.content_hash, '
                   'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
                   'stories.signals, stories.headline, stories.slugline, stories.byline, '
                   'stories.dateline, stories.language, stories.body_html, stories.body_text, '
                   'stories.subjects, stories.keywords, stories.credits, stories.link, '
                   'stories.word_count \n'
                   'FROM stories \n'
                   'WHERE stories.cluster_id = ? ORDER BY stories.version_created DESC, stories.id '
                   'DESC\n'
                   ' LIMIT ? OFFSET ?',
                   ['cluster', 'limit', [0]]),
 'all::since:': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                 'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                 'stories.version_seq, stories.version_created, stories.content_hash, '
                 'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
                 'stories.signals, stories.headline, stories.slugline, stories.byline, '
                 'stories.dateline, stories.language, stories.body_html, stories.body_text, '
                 'stories.subjects, stories.keywords, stories.credits, stories.link, '
                 'stories.word_count \n'
                 'FROM stories \n'
                 'WHERE stories.version_created >= ? ORDER BY stories.version_created DESC, '
                 'stories.id DESC\n'
                 ' LIMIT ? OFFSET ?',
                 ['since', 'limit', [0]]),
 'all::since:cluster': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                        'stories.received_at, stories.updated_at, stories.revision, '
                        'stories.version, stories.version_seq, stories.version_created, '
                        'stories.content_hash, stories.first_created, stories.pubstatus, '
                        'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                        'stories.slugline, stories.byline, stories.dateline, stories.language, '
                        'stories.body_html, stories.body_text, stories.subjects, stories.keywords, '
                        'stories.credits, stories.link, stories.word_count \n'
                        'FROM stories \n'
                        'WHERE stories.version_created >= ? AND stories.cluster_id = ? ORDER BY '
                        'stories.version_created DESC, stories.id DESC\n'
                        ' LIMIT ? OFFSET ?',
                        ['since', 'cluster', 'limit', [0]]),
 'all:provider::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                    'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                    'stories.version_seq, stories.version_created, stories.content_hash, '
                    'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
                    'stories.signals, stories.headline, stories.slugline, stories.byline, '
                    'stories.dateline, stories.language, stories.body_html, stories.body_text, '
                    'stories.subjects, stories.keywords, stories.credits, stories.link, '
                    'stories.word_count \n'
                    'FROM stories \n'
                    'WHERE stories.provider = ? ORDER BY stories.version_created DESC, stories.id '
                    'DESC\n'
                    ' LIMIT ? OFFSET ?',
                    ['provider', 'limit', [0]]),
 'all:provider::cluster': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                           'stories.received_at, stories.updated_at, stories.revision, '
                           'stories.version, stories.version_seq, stories.version_created, '
                           'stories.content_hash, stories.first_created, stories.pubstatus, '
                           'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                           'stories.slugline, stories.byline, stories.dateline, stories.language, '
                           'stories.body_html, stories.body_text, stories.subjects, '
                           'stories.keywords, stories.credits, stories.link, stories.word_count \n'
                           'FROM stories \n'
                           'WHERE stories.provider = ? AND stories.cluster_id = ? ORDER BY '
                           'stories.version_created DESC, stories.id DESC\n'
                           ' LIMIT ? OFFSET ?',
                           ['provider', 'cluster', 'limit', [0]]),
 'all:provider:since:': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                         'stories.received_at, stories.updated_at, stories.revision, '
                         'stories.version, stories.version_seq, stories.version_created, '
                         'stories.content_hash, stories.first_created, stories.pubstatus, '
                         'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                         'stories.slugline, stories.byline, stories.dateline, stories.language, '
                         'stories.body_html, stories.body_text, stories.subjects, '
                         'stories.keywords, stories.credits, stories.link, stories.word_count \n'
                         'FROM stories \n'
                         'WHERE stories.provider = ? AND stories.version_created >= ? ORDER BY '
                         'stories.version_created DESC, stories.id DESC\n'
                         ' LIMIT ? OFFSET ?',
                         ['provider', 'since', 'limit', [0]]),
 'all:provider:since:cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                                'stories.cluster_id, stories.received_at, stories.updated_at, '
                                'stories.revision, stories.version, stories.version_seq, '
                                'stories.version_created, stories.content_hash, '
                                'stories.first_created, stories.pubstatus, stories.embargoed, '
                                'stories.urgency, stories.signals, stories.headline, '
                                'stories.slugline, stories.byline, stories.dateline, '
                                'stories.language, stories.body_html, stories.body_text, '
                                'stories.subjects, stories.keywords, stories.credits, '
                                'stories.link, stories.word_count \n'
                                'FROM stories \n'
                                'WHERE stories.provider = ? AND stories.version_created >= ? AND '
                                'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                                'stories.id DESC\n'
                                ' LIMIT ? OFFSET ?',
                                ['provider', 'since', 'cluster', 'limit', [0]]),
 'canceled:::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                 'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                 'stories.version_seq, stories.version_created, stories.content_hash, '
                 'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
                 'stories.signals, stories.headline, stories.slugline, stories.byline, '
                 'stories.dateline, stories.language, stories.body_html, stories.body_text, '
                 'stories.subjects, stories.keywords, stories.credits, stories.link, '
                 'stories.word_count \n'
                 'FROM stories \n'
                 'WHERE stories.pubstatus = ? ORDER BY stories.version_created DESC, stories.id '
                 'DESC\n'
                 ' LIMIT ? OFFSET ?',
                 [['canceled'], 'limit', [0]]),
 'canceled:::cluster': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                        'stories.received_at, stories.updated_at, stories.revision, '
                        'stories.version, stories.version_seq, stories.version_created, '
                        'stories.content_hash, stories.first_created, stories.pubstatus, '
                        'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                        'stories.slugline, stories.byline, stories.dateline, stories.language, '
                        'stories.body_html, stories.body_text, stories.subjects, stories.keywords, '
                        'stories.credits, stories.link, stories.word_count \n'
                        'FROM stories \n'
                        'WHERE stories.pubstatus = ? AND stories.cluster_id = ? ORDER BY '
                        'stories.version_created DESC, stories.id DESC\n'
                        ' LIMIT ? OFFSET ?',
                        [['canceled'], 'cluster', 'limit', [0]]),
 'canceled::since:': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                      'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                      'stories.version_seq, stories.version_created, stories.content_hash, '
                      'stories.first_created, stories.pubstatus, stories.embargoed, '
                      'stories.urgency, stories.signals, stories.headline, stories.slugline, '
                      'stories.byline, stories.dateline, stories.language, stories.body_html, '
                      'stories.body_text, stories.subjects, stories.keywords, stories.credits, '
                      'stories.link, stories.word_count \n'
                      'FROM stories \n'
                      'WHERE stories.pubstatus = ? AND stories.version_created >= ? ORDER BY '
                      'stories.version_created DESC, stories.id DESC\n'
                      ' LIMIT ? OFFSET ?',
                      [['canceled'], 'since', 'limit', [0]]),
 'canceled::since:cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                             'stories.cluster_id, stories.received_at, stories.updated_at, '
                             'stories.revision, stories.version, stories.version_seq, '
                             'stories.version_created, stories.content_hash, '
                             'stories.first_created, stories.pubstatus, stories.embargoed, '
                             'stories.urgency, stories.signals, stories.headline, '
                             'stories.slugline, stories.byline, stories.dateline, '
                             'stories.language, stories.body_html, stories.body_text, '
                             'stories.subjects, stories.keywords, stories.credits, stories.link, '
                             'stories.word_count \n'
                             'FROM stories \n'
                             'WHERE stories.pubstatus = ? AND stories.version_created >= ? AND '
                             'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                             'stories.id DESC\n'
                             ' LIMIT ? OFFSET ?',
                             [['canceled'], 'since', 'cluster', 'limit', [0]]),
 'canceled:provider::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                         'stories.received_at, stories.updated_at, stories.revision, '
                         'stories.version, stories.version_seq, stories.version_created, '
                         'stories.content_hash, stories.first_created, stories.pubstatus, '
                         'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                         'stories.slugline, stories.byline, stories.dateline, stories.language, '
                         'stories.body_html, stories.body_text, stories.subjects, '
                         'stories.keywords, stories.credits, stories.link, stories.word_count \n'
                         'FROM stories \n'
                         'WHERE stories.pubstatus = ? AND stories.provider = ? ORDER BY '
                         'stories.version_created DESC, stories.id DESC\n'
                         ' LIMIT ? OFFSET ?',
                         [['canceled'], 'provider', 'limit', [0]]),
 'canceled:provider::cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                                'stories.cluster_id, stories.received_at, stories.updated_at, '
                                'stories.revision, stories.version, stories.version_seq, '
                                'stories.version_created, stories.content_hash, '
                                'stories.first_created, stories.pubstatus, stories.embargoed, '
                                'stories.urgency, stories.signals, stories.headline, '
                                'stories.slugline, stories.byline, stories.dateline, '
                                'stories.language, stories.body_html, stories.body_text, '
                                'stories.subjects, stories.keywords, stories.credits, '
                                'stories.link, stories.word_count \n'
                                'FROM stories \n'
                                'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                                'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                                'stories.id DESC\n'
                                ' LIMIT ? OFFSET ?',
                                [['canceled'], 'provider', 'cluster', 'limit', [0]]),
 'canceled:provider:since:': ('SELECT stories.id, stories.provider, stories.guid, '
                              'stories.cluster_id, stories.received_at, stories.updated_at, '
                              'stories.revision, stories.version, stories.version_seq, '
                              'stories.version_created, stories.content_hash, '
                              'stories.first_created, stories.pubstatus, stories.embargoed, '
                              'stories.urgency, stories.signals, stories.headline, '
                              'stories.slugline, stories.byline, stories.dateline, '
                              'stories.language, stories.body_html, stories.body_text, '
                              'stories.subjects, stories.keywords, stories.credits, stories.link, '
                              'stories.word_count \n'
                              'FROM stories \n'
                              'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                              'stories.version_created >= ? ORDER BY stories.version_created DESC, '
                              'stories.id DESC\n'
                              ' LIMIT ? OFFSET ?',
                              [['canceled'], 'provider', 'since', 'limit', [0]]),
 'canceled:provider:since:cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                                     'stories.cluster_id, stories.received_at, stories.updated_at, '
                                     'stories.revision, stories.version, stories.version_seq, '
                                     'stories.version_created, stories.content_hash, '
                                     'stories.first_created, stories.pubstatus, stories.embargoed, '
                                     'stories.urgency, stories.signals, stories.headline, '
                                     'stories.slugline, stories.byline, stories.dateline, '
                                     'stories.language, stories.body_html, stories.body_text, '
                                     'stories.subjects, stories.keywords, stories.credits, '
                                     'stories.link, stories.word_count \n'
                                     'FROM stories \n'
                                     'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                                     'stories.version_created >= ? AND stories.cluster_id = ? '
                                     'ORDER BY stories.version_created DESC, stories.id DESC\n'
                                     ' LIMIT ? OFFSET ?',
                                     [['canceled'], 'provider', 'since', 'cluster', 'limit', [0]]),
 'embargoed:::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                  'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                  'stories.version_seq, stories.version_created, stories.content_hash, '
                  'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
                  'stories.signals, stories.headline, stories.slugline, stories.byline, '
                  'stories.dateline, stories.language, stories.body_html, stories.body_text, '
                  'stories.subjects, stories.keywords, stories.credits, stories.link, '
                  'stories.word_count \n'
                  'FROM stories \n'
                  'WHERE stories.pubstatus = ? AND stories.embargoed > ? ORDER BY '
                  'stories.version_created DESC, stories.id DESC\n'
                  ' LIMIT ? OFFSET ?',
                  [['usable'], 'now', 'limit', [0]]),
 'embargoed:::cluster': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                         'stories.received_at, stories.updated_at, stories.revision, '
                         'stories.version, stories.version_seq, stories.version_created, '
                         'stories.content_hash, stories.first_created, stories.pubstatus, '
                         'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                         'stories.slugline, stories.byline, stories.dateline, stories.language, '
                         'stories.body_html, stories.body_text, stories.subjects, '
                         'stories.keywords, stories.credits, stories.link, stories.word_count \n'
                         'FROM stories \n'
                         'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                         'stories.cluster_id = ? ORDER BY stories.version_created DESC, stories.id '
                         'DESC\n'
                         ' LIMIT ? OFFSET ?',
                         [['usable'], 'now', 'cluster', 'limit', [0]]),
 'embargoed::since:': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                       'stories.received_at, stories.updated_at, stories.revision, '
                       'stories.version, stories.version_seq, stories.version_created, '
                       'stories.content_hash, stories.first_created, stories.pubstatus, '
                       'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                       'stories.slugline, stories.byline, stories.dateline, stories.language, '
                       'stories.body_html, stories.body_text, stories.subjects, stories.keywords, '
                       'stories.credits, stories.link, stories.word_count \n'
                       'FROM stories \n'
                       'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                       'stories.version_created >= ? ORDER BY stories.version_created DESC, '
                       'stories.id DESC\n'
                       ' LIMIT ? OFFSET ?',
                       [['usable'], 'now', 'since', 'limit', [0]]),
 'embargoed::since:cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                              'stories.cluster_id, stories.received_at, stories.updated_at, '
                              'stories.revision, stories.version, stories.version_seq, '
                              'stories.version_created, stories.content_hash, '
                              'stories.first_created, stories.pubstatus, stories.embargoed, '
                              'stories.urgency, stories.signals, stories.headline, '
                              'stories.slugline, stories.byline, stories.dateline, '
                              'stories.language, stories.body_html, stories.body_text, '
                              'stories.subjects, stories.keywords, stories.credits, stories.link, '
                              'stories.word_count \n'
                              'FROM stories \n'
                              'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                              'stories.version_created >= ? AND stories.cluster_id = ? ORDER BY '
                              'stories.version_created DESC, stories.id DESC\n'
                              ' LIMIT ? OFFSET ?',
                              [['usable'], 'now', 'since', 'cluster', 'limit', [0]]),
 'embargoed:provider::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                          'stories.received_at, stories.updated_at, stories.revision, '
                          'stories.version, stories.version_seq, stories.version_created, '
                          'stories.content_hash, stories.first_created, stories.pubstatus, '
                          'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                          'stories.slugline, stories.byline, stories.dateline, stories.language, '
                          'stories.body_html, stories.body_text, stories.subjects, '
                          'stories.keywords, stories.credits, stories.link, stories.word_count \n'
                          'FROM stories \n'
                          'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                          'stories.provider = ? ORDER BY stories.version_created DESC, stories.id '
                          'DESC\n'
                          ' LIMIT ? OFFSET ?',
                          [['usable'], 'now', 'provider', 'limit', [0]]),
 'embargoed:provider::cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                                 'stories.cluster_id, stories.received_at, stories.updated_at, '
                                 'stories.revision, stories.version, stories.version_seq, '
                                 'stories.version_created, stories.content_hash, '
                                 'stories.first_created, stories.pubstatus, stories.embargoed, '
                                 'stories.urgency, stories.signals, stories.headline, '
                                 'stories.slugline, stories.byline, stories.dateline, '
                                 'stories.language, stories.body_html, stories.body_text, '
                                 'stories.subjects, stories.keywords, stories.credits, '
                                 'stories.link, stories.word_count \n'
                                 'FROM stories \n'
                                 'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                                 'stories.provider = ? AND stories.cluster_id = ? ORDER BY '
                                 'stories.version_created DESC, stories.id DESC\n'
                                 ' LIMIT ? OFFSET ?',
                                 [['usable'], 'now', 'provider', 'cluster', 'limit', [0]]),
 'embargoed:provider:since:': ('SELECT stories.id, stories.provider, stories.guid, '
                               'stories.cluster_id, stories.received_at, stories.updated_at, '
                               'stories.revision, stories.version, stories.version_seq, '
                               'stories.version_created, stories.content_hash, '
                               'stories.first_created, stories.pubstatus, stories.embargoed, '
                               'stories.urgency, stories.signals, stories.headline, '
                               'stories.slugline, stories.byline, stories.dateline, '
                               'stories.language, stories.body_html, stories.body_text, '
                               'stories.subjects, stories.keywords, stories.credits, stories.link, '
                               'stories.word_count \n'
                               'FROM stories \n'
                               'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                               'stories.provider = ? AND stories.version_created >= ? ORDER BY '
                               'stories.version_created DESC, stories.id DESC\n'
                               ' LIMIT ? OFFSET ?',
                               [['usable'], 'now', 'provider', 'since', 'limit', [0]]),
 'embargoed:provider:since:cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                                      'stories.cluster_id, stories.received_at, '
                                      'stories.updated_at, stories.revision, stories.version, '
                                      'stories.version_seq, stories.version_created, '
                                      'stories.content_hash, stories.first_created, '
                                      'stories.pubstatus, stories.embargoed, stories.urgency, '
                                      'stories.signals, stories.headline, stories.slugline, '
                                      'stories.byline, stories.dateline, stories.language, '
                                      'stories.body_html, stories.body_text, stories.subjects, '
                                      'stories.keywords, stories.credits, stories.link, '
                                      'stories.word_count \n'
                                      'FROM stories \n'
                                      'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                                      'stories.provider = ? AND stories.version_created >= ? AND '
                                      'stories.cluster_id = ? ORDER BY stories.version_created '
                                      'DESC, stories.id DESC\n'
                                      ' LIMIT ? OFFSET ?',
                                      [['usable'],
                                       'now',
                                       'provider',
                                       'since',
                                       'cluster',
                                       'limit',
                                       [0]]),
 'history': ('SELECT versions.id, versions.story_id, versions.received_at, versions.version, '
             'versions.version_seq, versions.version_created, versions.content_hash, '
             'versions.first_created, versions.pubstatus, versions.embargoed, versions.urgency, '
             'versions.signals, versions.headline, versions.slugline, versions.byline, '
             'versions.dateline, versions.language, versions.body_html, versions.body_text, '
             'versions.subjects, versions.keywords, versions.credits, versions.link, '
             'versions.word_count \n'
             'FROM versions \n'
             'WHERE versions.story_id = ?',
             ['story_id']),
 'story': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
           'stories.received_at, stories.updated_at, stories.revision, stories.version, '
           'stories.version_seq, stories.version_created, stories.content_hash, '
           'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
           'stories.signals, stories.headline, stories.slugline, stories.byline, stories.dateline, '
           'stories.language, stories.body_html, stories.body_text, stories.subjects, '
           'stories.keywords, stories.credits, stories.link, stories.word_count \n'
           'FROM stories \n'
           'WHERE stories.id = ?',
           ['story_id']),
 'usable:::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
               'stories.received_at, stories.updated_at, stories.revision, stories.version, '
               'stories.version_seq, stories.version_created, stories.content_hash, '
               'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
               'stories.signals, stories.headline, stories.slugline, stories.byline, '
               'stories.dateline, stories.language, stories.body_html, stories.body_text, '
               'stories.subjects, stories.keywords, stories.credits, stories.link, '
               'stories.word_count \n'
               'FROM stories \n'
               'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR stories.embargoed <= '
               '?) ORDER BY stories.version_created DESC, stories.id DESC\n'
               ' LIMIT ? OFFSET ?',
               [['usable'], 'now', 'limit', [0]]),
 'usable:::cluster': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                      'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                      'stories.version_seq, stories.version_created, stories.content_hash, '
                      'stories.first_created, stories.pubstatus, stories.embargoed, '
                      'stories.urgency, stories.signals, stories.headline, stories.slugline, '
                      'stories.byline, stories.dateline, stories.language, stories.body_html, '
                      'stories.body_text, stories.subjects, stories.keywords, stories.credits, '
                      'stories.link, stories.word_count \n'
                      'FROM stories \n'
                      'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                      'stories.embargoed <= ?) AND stories.cluster_id = ? ORDER BY '
                      'stories.version_created DESC, stories.id DESC\n'
                      ' LIMIT ? OFFSET ?',
                      [['usable'], 'now', 'cluster', 'limit', [0]]),
 'usable::since:': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                    'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                    'stories.version_seq, stories.version_created, stories.content_hash, '
                    'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
                    'stories.signals, stories.headline, stories.slugline, stories.byline, '
                    'stories.dateline, stories.language, stories.body_html, stories.body_text, '
                    'stories.subjects, stories.keywords, stories.credits, stories.link, '
                    'stories.word_count \n'
                    'FROM stories \n'
                    'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                    'stories.embargoed <= ?) AND stories.version_created >= ? ORDER BY '
                    'stories.version_created DESC, stories.id DESC\n'
                    ' LIMIT ? OFFSET ?',
                    [['usable'], 'now', 'since', 'limit', [0]]),
 'usable::since:cluster': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                           'stories.received_at, stories.updated_at, stories.revision, '
                           'stories.version, stories.version_seq, stories.version_created, '
                           'stories.content_hash, stories.first_created, stories.pubstatus, '
                           'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                           'stories.slugline, stories.byline, stories.dateline, stories.language, '
                           'stories.body_html, stories.body_text, stories.subjects, '
                           'stories.keywords, stories.credits, stories.link, stories.word_count \n'
                           'FROM stories \n'
                           'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                           'stories.embargoed <= ?) AND stories.version_created >= ? AND '
                           'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                           'stories.id DESC\n'
                           ' LIMIT ? OFFSET ?',
                           [['usable'], 'now', 'since', 'cluster', 'limit', [0]]),
 'usable:provider::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                       'stories.received_at, stories.updated_at, stories.revision, '
                       'stories.version, stories.version_seq, stories.version_created, '
                       'stories.content_hash, stories.first_created, stories.pubstatus, '
                       'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                       'stories.slugline, stories.byline, stories.dateline, stories.language, '
                       'stories.body_html, stories.body_text, stories.subjects, stories.keywords, '
                       'stories.credits, stories.link, stories.word_count \n'
                       'FROM stories \n'
                       'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                       'stories.embargoed <= ?) AND stories.provider = ? ORDER BY '
                       'stories.version_created DESC, stories.id DESC\n'
                       ' LIMIT ? OFFSET ?',
                       [['usable'], 'now', 'provider', 'limit', [0]]),
 'usable:provider::cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                              'stories.cluster_id, stories.received_at, stories.updated_at, '
                              'stories.revision, stories.version, stories.version_seq, '
                              'stories.version_created, stories.content_hash, '
                              'stories.first_created, stories.pubstatus, stories.embargoed, '
                              'stories.urgency, stories.signals, stories.headline, '
                              'stories.slugline, stories.byline, stories.dateline, '
                              'stories.language, stories.body_html, stories.body_text, '
                              'stories.subjects, stories.keywords, stories.credits, stories.link, '
                              'stories.word_count \n'
                              'FROM stories \n'
                              'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                              'stories.embargoed <= ?) AND stories.provider = ? AND '
                              'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                              'stories.id DESC\n'
                              ' LIMIT ? OFFSET ?',
                              [['usable'], 'now', 'provider', 'cluster', 'limit', [0]]),
 'usable:provider:since:': ('SELECT stories.id, stories.provider, stories.guid, '
                            'stories.cluster_id, stories.received_at, stories.updated_at, '
                            'stories.revision, stories.version, stories.version_seq, '
                            'stories.version_created, stories.content_hash, stories.first_created, '
                            'stories.pubstatus, stories.embargoed, stories.urgency, '
                            'stories.signals, stories.headline, stories.slugline, stories.byline, '
                            'stories.dateline, stories.language, stories.body_html, '
                            'stories.body_text, stories.subjects, stories.keywords, '
                            'stories.credits, stories.link, stories.word_count \n'
                            'FROM stories \n'
                            'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                            'stories.embargoed <= ?) AND stories.provider = ? AND '
                            'stories.version_created >= ? ORDER BY stories.version_created DESC, '
                            'stories.id DESC\n'
                            ' LIMIT ? OFFSET ?',
                            [['usable'], 'now', 'provider', 'since', 'limit', [0]]),
 'usable:provider:since:cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                                   'stories.cluster_id, stories.received_at, stories.updated_at, '
                                   'stories.revision, stories.version, stories.version_seq, '
                                   'stories.version_created, stories.content_hash, '
                                   'stories.first_created, stories.pubstatus, stories.embargoed, '
                                   'stories.urgency, stories.signals, stories.headline, '
                                   'stories.slugline, stories.byline, stories.dateline, '
                                   'stories.language, stories.body_html, stories.body_text, '
                                   'stories.subjects, stories.keywords, stories.credits, '
                                   'stories.link, stories.word_count \n'
                                   'FROM stories \n'
                                   'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                                   'stories.embargoed <= ?) AND stories.provider = ? AND '
                                   'stories.version_created >= ? AND stories.cluster_id = ? ORDER '
                                   'BY stories.version_created DESC, stories.id DESC\n'
                                   ' LIMIT ? OFFSET ?',
                                   [['usable'],
                                    'now',
                                    'provider',
                                    'since',
                                    'cluster',
                                    'limit',
                                    [0]]),
 'withheld:::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                 'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                 'stories.version_seq, stories.version_created, stories.content_hash, '
                 'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
                 'stories.signals, stories.headline, stories.slugline, stories.byline, '
                 'stories.dateline, stories.language, stories.body_html, stories.body_text, '
                 'stories.subjects, stories.keywords, stories.credits, stories.link, '
                 'stories.word_count \n'
                 'FROM stories \n'
                 'WHERE stories.pubstatus = ? ORDER BY stories.version_created DESC, stories.id '
                 'DESC\n'
                 ' LIMIT ? OFFSET ?',
                 [['withheld'], 'limit', [0]]),
 'withheld:::cluster': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                        'stories.received_at, stories.updated_at, stories.revision, '
                        'stories.version, stories.version_seq, stories.version_created, '
                        'stories.content_hash, stories.first_created, stories.pubstatus, '
                        'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                        'stories.slugline, stories.byline, stories.dateline, stories.language, '
                        'stories.body_html, stories.body_text, stories.subjects, stories.keywords, '
                        'stories.credits, stories.link, stories.word_count \n'
                        'FROM stories \n'
                        'WHERE stories.pubstatus = ? AND stories.cluster_id = ? ORDER BY '
                        'stories.version_created DESC, stories.id DESC\n'
                        ' LIMIT ? OFFSET ?',
                        [['withheld'], 'cluster', 'limit', [0]]),
 'withheld::since:': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                      'stories.received_at, stories.updated_at, stories.revision, stories.version, '
                      'stories.version_seq, stories.version_created, stories.content_hash, '
                      'stories.first_created, stories.pubstatus, stories.embargoed, '
                      'stories.urgency, stories.signals, stories.headline, stories.slugline, '
                      'stories.byline, stories.dateline, stories.language, stories.body_html, '
                      'stories.body_text, stories.subjects, stories.keywords, stories.credits, '
                      'stories.link, stories.word_count \n'
                      'FROM stories \n'
                      'WHERE stories.pubstatus = ? AND stories.version_created >= ? ORDER BY '
                      'stories.version_created DESC, stories.id DESC\n'
                      ' LIMIT ? OFFSET ?',
                      [['withheld'], 'since', 'limit', [0]]),
 'withheld::since:cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                             'stories.cluster_id, stories.received_at, stories.updated_at, '
                             'stories.revision, stories.version, stories.version_seq, '
                             'stories.version_created, stories.content_hash, '
                             'stories.first_created, stories.pubstatus, stories.embargoed, '
                             'stories.urgency, stories.signals, stories.headline, '
                             'stories.slugline, stories.byline, stories.dateline, '
                             'stories.language, stories.body_html, stories.body_text, '
                             'stories.subjects, stories.keywords, stories.credits, stories.link, '
                             'stories.word_count \n'
                             'FROM stories \n'
                             'WHERE stories.pubstatus = ? AND stories.version_created >= ? AND '
                             'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                             'stories.id DESC\n'
                             ' LIMIT ? OFFSET ?',
                             [['withheld'], 'since', 'cluster', 'limit', [0]]),
 'withheld:provider::': ('SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
                         'stories.received_at, stories.updated_at, stories.revision, '
                         'stories.version, stories.version_seq, stories.version_created, '
                         'stories.content_hash, stories.first_created, stories.pubstatus, '
                         'stories.embargoed, stories.urgency, stories.signals, stories.headline, '
                         'stories.slugline, stories.byline, stories.dateline, stories.language, '
                         'stories.body_html, stories.body_text, stories.subjects, '
                         'stories.keywords, stories.credits, stories.link, stories.word_count \n'
                         'FROM stories \n'
                         'WHERE stories.pubstatus = ? AND stories.provider = ? ORDER BY '
                         'stories.version_created DESC, stories.id DESC\n'
                         ' LIMIT ? OFFSET ?',
                         [['withheld'], 'provider', 'limit', [0]]),
 'withheld:provider::cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                                'stories.cluster_id, stories.received_at, stories.updated_at, '
                                'stories.revision, stories.version, stories.version_seq, '
                                'stories.version_created, stories.content_hash, '
                                'stories.first_created, stories.pubstatus, stories.embargoed, '
                                'stories.urgency, stories.signals, stories.headline, '
                                'stories.slugline, stories.byline, stories.dateline, '
                                'stories.language, stories.body_html, stories.body_text, '
                                'stories.subjects, stories.keywords, stories.credits, '
                                'stories.link, stories.word_count \n'
                                'FROM stories \n'
                                'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                                'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                                'stories.id DESC\n'
                                ' LIMIT ? OFFSET ?',
                                [['withheld'], 'provider', 'cluster', 'limit', [0]]),
 'withheld:provider:since:': ('SELECT stories.id, stories.provider, stories.guid, '
                              'stories.cluster_id, stories.received_at, stories.updated_at, '
                              'stories.revision, stories.version, stories.version_seq, '
                              'stories.version_created, stories.content_hash, '
                              'stories.first_created, stories.pubstatus, stories.embargoed, '
                              'stories.urgency, stories.signals, stories.headline, '
                              'stories.slugline, stories.byline, stories.dateline, '
                              'stories.language, stories.body_html, stories.body_text, '
                              'stories.subjects, stories.keywords, stories.credits, stories.link, '
                              'stories.word_count \n'
                              'FROM stories \n'
                              'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                              'stories.version_created >= ? ORDER BY stories.version_created DESC, '
                              'stories.id DESC\n'
                              ' LIMIT ? OFFSET ?',
                              [['withheld'], 'provider', 'since', 'limit', [0]]),
 'withheld:provider:since:cluster': ('SELECT stories.id, stories.provider, stories.guid, '
                                     'stories.cluster_id, stories.received_at, stories.updated_at, '
                                     'stories.revision, stories.version, stories.version_seq, '
                                     'stories.version_created, stories.content_hash, '
                                     'stories.first_created, stories.pubstatus, stories.embargoed, '
                                     'stories.urgency, stories.signals, stories.headline, '
                                     'stories.slugline, stories.byline, stories.dateline, '
                                     'stories.language, stories.body_html, stories.body_text, '
                                     'stories.subjects, stories.keywords, stories.credits, '
                                     'stories.link, stories.word_count \n'
                                     'FROM stories \n'
                                     'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                                     'stories.version_created >= ? AND stories.cluster_id = ? '
                                     'ORDER BY stories.version_created DESC, stories.id DESC\n'
                                     ' LIMIT ? OFFSET ?',
                                     [['withheld'], 'provider', 'since', 'cluster', 'limit', [0]])}
COLUMNS = {'stories': [('id', None),
             ('provider', None),
             ('guid', None),
             ('cluster_id', None),
             ('received_at', 'time'),
             ('updated_at', 'time'),
             ('revision', None),
             ('version', None),
             ('version_seq', None),
             ('version_created', 'time'),
             ('content_hash', None),
             ('first_created', 'time'),
             ('pubstatus', None),
             ('embargoed', 'time'),
             ('urgency', None),
             ('signals', 'json'),
             ('headline', None),
             ('slugline', None),
             ('byline', None),
             ('dateline', None),
             ('language', None),
             ('body_html', None),
             ('body_text', None),
             ('subjects', 'json'),
             ('keywords', 'json'),
             ('credits', 'json'),
             ('link', None),
             ('word_count', None)],
 'versions': [('id', None),
              ('story_id', None),
              ('received_at', 'time'),
              ('version', None),
              ('version_seq', None),
              ('version_created', 'time'),
              ('content_hash', None),
              ('first_created', 'time'),
              ('pubstatus', None),
              ('embargoed', 'time'),
              ('urgency', None),
              ('signals', 'json'),
              ('headline', None),
              ('slugline', None),
              ('byline', None),
              ('dateline', None),
              ('language', None),
              ('body_html', None),
              ('body_text', None),
              ('subjects', 'json'),
              ('keywords', 'json'),
              ('credits', 'json'),
              ('link', None),
              ('word_count', None)]}
