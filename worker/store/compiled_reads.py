"""The SQLite statements of `wire stories` and `wire versions`, compiled from
`worker.store.reads` (`compiled_reads`): written by scripts/compile_reads.py, never by
hand."""

HEAD = '0019'
#: each table's SELECT of every column, which every statement below begins with
HEADS = {'stories': 'SELECT stories.id, stories.provider, stories.guid, stories.cluster_id, '
            'stories.received_at, stories.updated_at, stories.revision, stories.version, '
            'stories.version_seq, stories.version_created, stories.content_hash, '
            'stories.first_created, stories.pubstatus, stories.embargoed, stories.urgency, '
            'stories.signals, stories.headline, stories.slugline, stories.byline, '
            'stories.dateline, stories.language, stories.body_html, stories.body_text, '
            'stories.subjects, stories.keywords, stories.credits, stories.link, '
            'stories.word_count \n'
            'FROM stories',
 'versions': 'SELECT versions.id, versions.story_id, versions.received_at, versions.version, '
             'versions.version_seq, versions.version_created, versions.content_hash, '
             'versions.first_created, versions.pubstatus, versions.embargoed, versions.urgency, '
             'versions.signals, versions.headline, versions.slugline, versions.byline, '
             'versions.dateline, versions.language, versions.body_html, versions.body_text, '
             'versions.subjects, versions.keywords, versions.credits, versions.link, '
             'versions.word_count \n'
             'FROM versions'}
#: key -> (table, the statement after its HEADS entry, its parameters in order)
STATEMENTS = {'all:::': ('stories', ' ORDER BY stories.version_created DESC, stories.id DESC\n LIMIT ? OFFSET ?',
            ['limit', [0]]),
 'all:::cluster': ('stories',
                   ' \n'
                   'WHERE stories.cluster_id = ? ORDER BY stories.version_created DESC, stories.id '
                   'DESC\n'
                   ' LIMIT ? OFFSET ?',
                   ['cluster', 'limit', [0]]),
 'all::since:': ('stories',
                 ' \n'
                 'WHERE stories.version_created >= ? ORDER BY stories.version_created DESC, '
                 'stories.id DESC\n'
                 ' LIMIT ? OFFSET ?',
                 ['since', 'limit', [0]]),
 'all::since:cluster': ('stories',
                        ' \n'
                        'WHERE stories.version_created >= ? AND stories.cluster_id = ? ORDER BY '
                        'stories.version_created DESC, stories.id DESC\n'
                        ' LIMIT ? OFFSET ?',
                        ['since', 'cluster', 'limit', [0]]),
 'all:provider::': ('stories',
                    ' \n'
                    'WHERE stories.provider = ? ORDER BY stories.version_created DESC, stories.id '
                    'DESC\n'
                    ' LIMIT ? OFFSET ?',
                    ['provider', 'limit', [0]]),
 'all:provider::cluster': ('stories',
                           ' \n'
                           'WHERE stories.provider = ? AND stories.cluster_id = ? ORDER BY '
                           'stories.version_created DESC, stories.id DESC\n'
                           ' LIMIT ? OFFSET ?',
                           ['provider', 'cluster', 'limit', [0]]),
 'all:provider:since:': ('stories',
                         ' \n'
                         'WHERE stories.provider = ? AND stories.version_created >= ? ORDER BY '
                         'stories.version_created DESC, stories.id DESC\n'
                         ' LIMIT ? OFFSET ?',
                         ['provider', 'since', 'limit', [0]]),
 'all:provider:since:cluster': ('stories',
                                ' \n'
                                'WHERE stories.provider = ? AND stories.version_created >= ? AND '
                                'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                                'stories.id DESC\n'
                                ' LIMIT ? OFFSET ?',
                                ['provider', 'since', 'cluster', 'limit', [0]]),
 'canceled:::': ('stories',
                 ' \n'
                 'WHERE stories.pubstatus = ? ORDER BY stories.version_created DESC, stories.id '
                 'DESC\n'
                 ' LIMIT ? OFFSET ?',
                 [['canceled'], 'limit', [0]]),
 'canceled:::cluster': ('stories',
                        ' \n'
                        'WHERE stories.pubstatus = ? AND stories.cluster_id = ? ORDER BY '
                        'stories.version_created DESC, stories.id DESC\n'
                        ' LIMIT ? OFFSET ?',
                        [['canceled'], 'cluster', 'limit', [0]]),
 'canceled::since:': ('stories',
                      ' \n'
                      'WHERE stories.pubstatus = ? AND stories.version_created >= ? ORDER BY '
                      'stories.version_created DESC, stories.id DESC\n'
                      ' LIMIT ? OFFSET ?',
                      [['canceled'], 'since', 'limit', [0]]),
 'canceled::since:cluster': ('stories',
                             ' \n'
                             'WHERE stories.pubstatus = ? AND stories.version_created >= ? AND '
                             'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                             'stories.id DESC\n'
                             ' LIMIT ? OFFSET ?',
                             [['canceled'], 'since', 'cluster', 'limit', [0]]),
 'canceled:provider::': ('stories',
                         ' \n'
                         'WHERE stories.pubstatus = ? AND stories.provider = ? ORDER BY '
                         'stories.version_created DESC, stories.id DESC\n'
                         ' LIMIT ? OFFSET ?',
                         [['canceled'], 'provider', 'limit', [0]]),
 'canceled:provider::cluster': ('stories',
                                ' \n'
                                'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                                'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                                'stories.id DESC\n'
                                ' LIMIT ? OFFSET ?',
                                [['canceled'], 'provider', 'cluster', 'limit', [0]]),
 'canceled:provider:since:': ('stories',
                              ' \n'
                              'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                              'stories.version_created >= ? ORDER BY stories.version_created DESC, '
                              'stories.id DESC\n'
                              ' LIMIT ? OFFSET ?',
                              [['canceled'], 'provider', 'since', 'limit', [0]]),
 'canceled:provider:since:cluster': ('stories',
                                     ' \n'
                                     'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                                     'stories.version_created >= ? AND stories.cluster_id = ? '
                                     'ORDER BY stories.version_created DESC, stories.id DESC\n'
                                     ' LIMIT ? OFFSET ?',
                                     [['canceled'], 'provider', 'since', 'cluster', 'limit', [0]]),
 'embargoed:::': ('stories',
                  ' \n'
                  'WHERE stories.pubstatus = ? AND stories.embargoed > ? ORDER BY '
                  'stories.version_created DESC, stories.id DESC\n'
                  ' LIMIT ? OFFSET ?',
                  [['usable'], 'now', 'limit', [0]]),
 'embargoed:::cluster': ('stories',
                         ' \n'
                         'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                         'stories.cluster_id = ? ORDER BY stories.version_created DESC, stories.id '
                         'DESC\n'
                         ' LIMIT ? OFFSET ?',
                         [['usable'], 'now', 'cluster', 'limit', [0]]),
 'embargoed::since:': ('stories',
                       ' \n'
                       'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                       'stories.version_created >= ? ORDER BY stories.version_created DESC, '
                       'stories.id DESC\n'
                       ' LIMIT ? OFFSET ?',
                       [['usable'], 'now', 'since', 'limit', [0]]),
 'embargoed::since:cluster': ('stories',
                              ' \n'
                              'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                              'stories.version_created >= ? AND stories.cluster_id = ? ORDER BY '
                              'stories.version_created DESC, stories.id DESC\n'
                              ' LIMIT ? OFFSET ?',
                              [['usable'], 'now', 'since', 'cluster', 'limit', [0]]),
 'embargoed:provider::': ('stories',
                          ' \n'
                          'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                          'stories.provider = ? ORDER BY stories.version_created DESC, stories.id '
                          'DESC\n'
                          ' LIMIT ? OFFSET ?',
                          [['usable'], 'now', 'provider', 'limit', [0]]),
 'embargoed:provider::cluster': ('stories',
                                 ' \n'
                                 'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                                 'stories.provider = ? AND stories.cluster_id = ? ORDER BY '
                                 'stories.version_created DESC, stories.id DESC\n'
                                 ' LIMIT ? OFFSET ?',
                                 [['usable'], 'now', 'provider', 'cluster', 'limit', [0]]),
 'embargoed:provider:since:': ('stories',
                               ' \n'
                               'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                               'stories.provider = ? AND stories.version_created >= ? ORDER BY '
                               'stories.version_created DESC, stories.id DESC\n'
                               ' LIMIT ? OFFSET ?',
                               [['usable'], 'now', 'provider', 'since', 'limit', [0]]),
 'embargoed:provider:since:cluster': ('stories',
                                      ' \n'
                                      'WHERE stories.pubstatus = ? AND stories.embargoed > ? AND '
                                      'stories.provider = ? AND stories.version_created >= ? AND '
                                      'stories.cluster_id = ? ORDER BY stories.version_created '
                                      'DESC, stories.id DESC\n'
                                      ' LIMIT ? OFFSET ?',
                                      [['usable'], 'now', 'provider', 'since', 'cluster', 'limit',
                                       [0]]),
 'history': ('versions', ' \nWHERE versions.story_id = ?', ['story_id']),
 'story': ('stories', ' \nWHERE stories.id = ?', ['story_id']),
 'usable:::': ('stories',
               ' \n'
               'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR stories.embargoed <= '
               '?) ORDER BY stories.version_created DESC, stories.id DESC\n'
               ' LIMIT ? OFFSET ?',
               [['usable'], 'now', 'limit', [0]]),
 'usable:::cluster': ('stories',
                      ' \n'
                      'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                      'stories.embargoed <= ?) AND stories.cluster_id = ? ORDER BY '
                      'stories.version_created DESC, stories.id DESC\n'
                      ' LIMIT ? OFFSET ?',
                      [['usable'], 'now', 'cluster', 'limit', [0]]),
 'usable::since:': ('stories',
                    ' \n'
                    'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                    'stories.embargoed <= ?) AND stories.version_created >= ? ORDER BY '
                    'stories.version_created DESC, stories.id DESC\n'
                    ' LIMIT ? OFFSET ?',
                    [['usable'], 'now', 'since', 'limit', [0]]),
 'usable::since:cluster': ('stories',
                           ' \n'
                           'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                           'stories.embargoed <= ?) AND stories.version_created >= ? AND '
                           'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                           'stories.id DESC\n'
                           ' LIMIT ? OFFSET ?',
                           [['usable'], 'now', 'since', 'cluster', 'limit', [0]]),
 'usable:provider::': ('stories',
                       ' \n'
                       'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                       'stories.embargoed <= ?) AND stories.provider = ? ORDER BY '
                       'stories.version_created DESC, stories.id DESC\n'
                       ' LIMIT ? OFFSET ?',
                       [['usable'], 'now', 'provider', 'limit', [0]]),
 'usable:provider::cluster': ('stories',
                              ' \n'
                              'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                              'stories.embargoed <= ?) AND stories.provider = ? AND '
                              'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                              'stories.id DESC\n'
                              ' LIMIT ? OFFSET ?',
                              [['usable'], 'now', 'provider', 'cluster', 'limit', [0]]),
 'usable:provider:since:': ('stories',
                            ' \n'
                            'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                            'stories.embargoed <= ?) AND stories.provider = ? AND '
                            'stories.version_created >= ? ORDER BY stories.version_created DESC, '
                            'stories.id DESC\n'
                            ' LIMIT ? OFFSET ?',
                            [['usable'], 'now', 'provider', 'since', 'limit', [0]]),
 'usable:provider:since:cluster': ('stories',
                                   ' \n'
                                   'WHERE stories.pubstatus = ? AND (stories.embargoed IS NULL OR '
                                   'stories.embargoed <= ?) AND stories.provider = ? AND '
                                   'stories.version_created >= ? AND stories.cluster_id = ? ORDER '
                                   'BY stories.version_created DESC, stories.id DESC\n'
                                   ' LIMIT ? OFFSET ?',
                                   [['usable'], 'now', 'provider', 'since', 'cluster', 'limit',
                                    [0]]),
 'withheld:::': ('stories',
                 ' \n'
                 'WHERE stories.pubstatus = ? ORDER BY stories.version_created DESC, stories.id '
                 'DESC\n'
                 ' LIMIT ? OFFSET ?',
                 [['withheld'], 'limit', [0]]),
 'withheld:::cluster': ('stories',
                        ' \n'
                        'WHERE stories.pubstatus = ? AND stories.cluster_id = ? ORDER BY '
                        'stories.version_created DESC, stories.id DESC\n'
                        ' LIMIT ? OFFSET ?',
                        [['withheld'], 'cluster', 'limit', [0]]),
 'withheld::since:': ('stories',
                      ' \n'
                      'WHERE stories.pubstatus = ? AND stories.version_created >= ? ORDER BY '
                      'stories.version_created DESC, stories.id DESC\n'
                      ' LIMIT ? OFFSET ?',
                      [['withheld'], 'since', 'limit', [0]]),
 'withheld::since:cluster': ('stories',
                             ' \n'
                             'WHERE stories.pubstatus = ? AND stories.version_created >= ? AND '
                             'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                             'stories.id DESC\n'
                             ' LIMIT ? OFFSET ?',
                             [['withheld'], 'since', 'cluster', 'limit', [0]]),
 'withheld:provider::': ('stories',
                         ' \n'
                         'WHERE stories.pubstatus = ? AND stories.provider = ? ORDER BY '
                         'stories.version_created DESC, stories.id DESC\n'
                         ' LIMIT ? OFFSET ?',
                         [['withheld'], 'provider', 'limit', [0]]),
 'withheld:provider::cluster': ('stories',
                                ' \n'
                                'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                                'stories.cluster_id = ? ORDER BY stories.version_created DESC, '
                                'stories.id DESC\n'
                                ' LIMIT ? OFFSET ?',
                                [['withheld'], 'provider', 'cluster', 'limit', [0]]),
 'withheld:provider:since:': ('stories',
                              ' \n'
                              'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                              'stories.version_created >= ? ORDER BY stories.version_created DESC, '
                              'stories.id DESC\n'
                              ' LIMIT ? OFFSET ?',
                              [['withheld'], 'provider', 'since', 'limit', [0]]),
 'withheld:provider:since:cluster': ('stories',
                                     ' \n'
                                     'WHERE stories.pubstatus = ? AND stories.provider = ? AND '
                                     'stories.version_created >= ? AND stories.cluster_id = ? '
                                     'ORDER BY stories.version_created DESC, stories.id DESC\n'
                                     ' LIMIT ? OFFSET ?',
                                     [['withheld'], 'provider', 'since', 'cluster', 'limit', [0]])}
#: each table's columns in the order the statements select them, and how the columns
#: that are not read as stored are read
COLUMNS = {'stories': ('id', 'provider', 'guid', 'cluster_id', 'received_at', 'updated_at', 'revision',
             'version', 'version_seq', 'version_created', 'content_hash', 'first_created',
             'pubstatus', 'embargoed', 'urgency', 'signals', 'headline', 'slugline', 'byline',
             'dateline', 'language', 'body_html', 'body_text', 'subjects', 'keywords', 'credits',
             'link', 'word_count'),
 'versions': ('id', 'story_id', 'received_at', 'version', 'version_seq', 'version_created',
              'content_hash', 'first_created', 'pubstatus', 'embargoed', 'urgency', 'signals',
              'headline', 'slugline', 'byline', 'dateline', 'language', 'body_html', 'body_text',
              'subjects', 'keywords', 'credits', 'link', 'word_count')}
KINDS = {'credits': 'json',
 'embargoed': 'time',
 'first_created': 'time',
 'keywords': 'json',
 'received_at': 'time',
 'signals': 'json',
 'subjects': 'json',
 'updated_at': 'time',
 'version_created': 'time'}
